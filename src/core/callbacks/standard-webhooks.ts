import { createHmac } from 'node:crypto';

/** The three Standard Webhooks headers of one attempt. */
export interface StandardWebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** The key bytes of a `whsec_<base64>` secret; throws (without echoing it) on another form. */
export function secretKeyOf(secret: string): Buffer {
  if (!secret.startsWith('whsec_')) throw new Error('a callback secret must start with whsec_');
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  if (key.length < 24) throw new Error('a callback secret must hold at least 24 bytes');
  return key;
}

/**
 * Signs `body` per the Standard Webhooks spec: `v1,` + base64 HMAC-SHA256, keyed with the
 * base64-decoded secret, over `<webhook-id>.<webhook-timestamp>.<body>` (timestamp in Unix seconds).
 */
export function signWebhook(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string,
): StandardWebhookHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
}
