/** The placeholder every secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Removes every occurrence of each secret (and its URL-encoded form) from `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of expandSecrets(secrets)) result = result.split(secret).join(REDACTED);
  return result;
}

/**
 * Deep copy of a JSON-like value with secrets removed from every string and every key. A last line
 * of defence: builders already leave secrets out, but a provider or a proxy could echo them back.
 */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  const expanded = expandSecrets(secrets);
  if (expanded.length === 0) return value;
  return redactValue(value, expanded) as T;
}

function redactValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[redactText(key, secrets)] = redactValue(inner, secrets);
    }
    return out;
  }
  return value;
}

/** Secrets too short to be meaningful are ignored, or redaction would shred ordinary text. */
function expandSecrets(secrets: readonly string[]): string[] {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    all.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) all.add(encoded);
  }
  // Longest first, so a URL is replaced whole before its token inside it.
  return [...all].sort((a, b) => b.length - a.length);
}
