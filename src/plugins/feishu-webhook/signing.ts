import { createHmac } from 'node:crypto';

/**
 * Feishu custom-bot signature (docs/feishu-notes.md §2.3): HMAC-SHA256 keyed by `${timestamp}\n${secret}`
 * over an EMPTY message, standard padded Base64. The common "key = secret, message = string"
 * variant is wrong and earns 19021.
 */
export function signWebhook(timestampSeconds: string, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** Unix seconds as Feishu expects them in `timestamp` (a decimal string, as in the docs). */
export function webhookTimestamp(now: Date): string {
  return Math.floor(now.getTime() / 1000).toString();
}
