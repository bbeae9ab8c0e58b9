import { useEffect, useState } from 'preact/hooks';

/** Every console URL lives under this path (the deep links are a public contract). */
export const BASE = '/console/';

const listeners = new Set<() => void>();

/** Goes to a console path (`notifications?user_id=u1`) without reloading. */
export function navigate(to: string, replace = false): void {
  const url = to.startsWith('/') ? to : BASE + to;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

/** The path below BASE split into segments, and the query, re-rendering on navigation. */
export function useRoute(): { segments: string[]; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return {
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(location.search),
  };
}

/** Plain links stay links (open in new tab works); a plain left click routes in place. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || anchor.target) return;
  const url = new URL(anchor.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
