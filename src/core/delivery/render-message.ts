/** A rendered message and whether the configured fallback text replaced it. */
export interface RenderedMessage {
  readonly text: string;
  readonly fallbackUsed: boolean;
}

/** What a trigger asks to say. */
export interface MessageInput {
  readonly text: string;
  readonly template: string;
  readonly variables: Readonly<Record<string, string>>;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/**
 * Render `message.text`, or a template (by `message.template`, else by trigger_type) with
 * `{{variable}}` substitution. A missing template, a missing variable or an empty result yields
 * the fallback text with `fallbackUsed = true`, so a bad template never blocks a notification.
 */
export function renderMessage(
  message: MessageInput,
  triggerType: string,
  templates: Readonly<Record<string, string>>,
  builtins: Readonly<Record<string, string>>,
  fallbackText: string,
): RenderedMessage {
  const fallback = { text: fallbackText, fallbackUsed: true };
  if (message.text.trim().length > 0) return { text: message.text, fallbackUsed: false };
  const template = templates[message.template || triggerType];
  if (template === undefined) return fallback;
  let missing = false;
  const text = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = message.variables[name] ?? builtins[name];
    if (value === undefined) missing = true;
    return value ?? '';
  });
  if (missing || text.trim().length === 0) return fallback;
  return { text, fallbackUsed: false };
}
