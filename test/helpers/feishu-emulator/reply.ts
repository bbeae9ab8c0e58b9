import { randomBytes } from 'node:crypto';

/** What a route answers. */
export interface Reply {
  readonly status: number;
  readonly body: string | Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A Feishu-style error body with `error.log_id`, as im/v1 answers. */
export function feishuError(
  status: number,
  code: number,
  msg: string,
  headers?: Record<string, string>,
): Reply {
  const body = {
    code,
    msg,
    error: {
      log_id: newLogId(),
      troubleshooter: `https://open.feishu.cn/search?log_id=emulator&code=${code}`,
    },
  };
  return { status, body, ...(headers ? { headers } : {}) };
}

/** A plain `{code, msg}` body, as the webhook and token endpoints answer. */
export function plainCode(status: number, code: number, msg: string): Reply {
  return { status, body: { code, msg } };
}

/** A Feishu-like log id (X-Tt-Logid). */
export function newLogId(): string {
  return `2026${randomBytes(12).toString('hex').toUpperCase()}`;
}

/** Random lower-case hex of `bytes` bytes. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
