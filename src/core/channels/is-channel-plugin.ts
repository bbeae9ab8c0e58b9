import type { ChannelPlugin } from '../contract/index.js';

/** Structural check for a plugin loaded from an untyped module. */
export function isChannelPlugin(value: unknown): value is ChannelPlugin<unknown> {
  if (!value || typeof value !== 'object') return false;
  const candidate = value as Partial<ChannelPlugin<unknown>>;
  return (
    typeof candidate.id === 'string' &&
    candidate.id.length > 0 &&
    Array.isArray(candidate.settings) &&
    typeof candidate.parseConfig === 'function' &&
    typeof candidate.createProvider === 'function'
  );
}
