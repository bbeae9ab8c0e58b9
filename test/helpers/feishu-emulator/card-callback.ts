import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';

/** What Feishu needs to push a card action callback (docs/feishu-notes.md §14.2, §14.5, §14.6). */
export interface CardCallbackOptions {
  /** The gateway's `/feishu/callback/{channel}` URL. */
  readonly url: string;
  readonly verificationToken: string;
  /** When set, the body is encrypted and the request signed with it. */
  readonly encryptKey?: string;
  /** The button's value as the card carried it. */
  readonly value: Record<string, unknown>;
  readonly operatorOpenId: string;
  readonly messageId?: string;
  /** Defaults: a fresh event id, now, a random nonce. */
  readonly eventId?: string;
  readonly timestampSeconds?: number;
  readonly nonce?: string;
  /** Corrupt the signature (a forged request). */
  readonly badSignature?: boolean;
  /** Send exactly this plaintext (e.g. url_verification) instead of a card action. */
  readonly plaintext?: Record<string, unknown>;
}

/** The gateway's answer and how long it took. */
export interface CallbackReply {
  readonly status: number;
  readonly body: unknown;
  readonly elapsedMs: number;
  readonly eventId: string;
}

/**
 * Pushes one card action callback as Feishu does: schema 2.0 body, encrypted as
 * base64(iv ‖ AES-256-CBC(SHA-256(key), iv, PKCS7(json))), signed with
 * hex(SHA-256(timestamp + nonce + key + raw body)). Written independently of the gateway's code.
 */
export async function pushCardCallback(options: CardCallbackOptions): Promise<CallbackReply> {
  const eventId = options.eventId ?? randomUUID().replaceAll('-', '');
  const payload = options.plaintext ?? {
    schema: '2.0',
    header: {
      event_id: eventId,
      event_type: 'card.action.trigger',
      create_time: String(Date.now()),
      token: options.verificationToken,
      app_id: 'cli_emulator',
      tenant_key: 'emulator',
    },
    event: {
      operator: { open_id: options.operatorOpenId, tenant_key: 'emulator' },
      token: `c-${randomBytes(8).toString('hex')}`,
      action: { tag: 'button', value: options.value },
      host: 'im_message',
      context: { open_message_id: options.messageId ?? 'om_unknown', open_chat_id: 'oc_emulator' },
    },
  };
  const json = JSON.stringify(payload);
  const body = options.encryptKey ? JSON.stringify({ encrypt: encrypt(json, options.encryptKey) }) : json;
  const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(8).toString('hex');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
  };
  if (options.encryptKey) {
    const signature = createHash('sha256')
      .update(timestamp + nonce + options.encryptKey + body)
      .digest('hex');
    headers['x-lark-signature'] = options.badSignature
      ? signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))
      : signature;
  }
  const started = performance.now();
  const response = await fetch(options.url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed, elapsedMs: performance.now() - started, eventId };
}

function encrypt(plaintext: string, key: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}
