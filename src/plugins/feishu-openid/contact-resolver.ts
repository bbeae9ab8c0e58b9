import { ProviderErrorCode, type SendResult } from '../../core/contract/index.js';
import { isRecord } from '../http-kit/http-call.js';
import type { OpenidClient } from './openid-client.js';
import { runApiCall } from './run-api-call.js';

/** Feishu answers at most 50 emails and 50 mobiles per batch_get_id call (docs/feishu-notes.md §9.2). */
export const MAX_LOOKUPS_PER_CALL = 50;

const LOOKUP_PATH = '/open-apis/contact/v3/users/batch_get_id?user_id_type=open_id';

/** An email/mobile lookup: the open_id, nobody (a skip), or the failed call's result. */
export type Resolution =
  | { readonly kind: 'found'; readonly openId: string }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'failed'; readonly result: SendResult };

type LookupKind = 'email' | 'mobile';

interface Waiting {
  readonly kind: LookupKind;
  readonly value: string;
  readonly resolve: (resolution: Resolution) => void;
}

/**
 * Resolves emails and mobiles to open_ids with contact batch_get_id: lookups of one event-loop
 * turn share a call (≤ 50 of each kind), concurrent lookups of one value share a promise, and
 * found ids are cached for `ttlMs` per app (open_ids are app-scoped). Not-found answers are not
 * cached, so a user who joins later is found on the next send.
 */
export class ContactResolver {
  readonly #cache = new Map<string, { openId: string; expiresAt: number }>();
  readonly #pending = new Map<string, Promise<Resolution>>();
  #queue: Waiting[] = [];
  #scheduled = false;

  constructor(
    private readonly client: OpenidClient,
    private readonly ttlMs: number,
    private readonly nowMs: () => number,
    private readonly secrets: readonly string[],
  ) {}

  /** The open_id for an email or mobile. */
  resolve(kind: LookupKind, value: string): Promise<Resolution> {
    const key = `${kind}:${value}`;
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > this.nowMs())
      return Promise.resolve({ kind: 'found', openId: cached.openId });
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const started = new Promise<Resolution>((resolve) => {
      this.#queue.push({ kind, value, resolve });
      if (this.#queue.filter((item) => item.kind === kind).length >= MAX_LOOKUPS_PER_CALL) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    }).finally(() => this.#pending.delete(key));
    this.#pending.set(key, started);
    return started;
  }

  #flush(): void {
    this.#scheduled = false;
    const emails = this.#queue.filter((item) => item.kind === 'email').slice(0, MAX_LOOKUPS_PER_CALL);
    const mobiles = this.#queue.filter((item) => item.kind === 'mobile').slice(0, MAX_LOOKUPS_PER_CALL);
    const batch = [...emails, ...mobiles];
    this.#queue = this.#queue.filter((item) => !batch.includes(item));
    if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
    if (batch.length > 0) void this.#lookup(emails, mobiles);
  }

  async #lookup(emails: Waiting[], mobiles: Waiting[]): Promise<void> {
    const body = {
      emails: emails.map((item) => item.value),
      mobiles: mobiles.map((item) => item.value),
      include_resigned: false,
    };
    const requestPayload = { path: LOOKUP_PATH, lookups: emails.length + mobiles.length };
    const outcome = await runApiCall(
      this.client,
      { method: 'POST', path: LOOKUP_PATH, body: JSON.stringify(body) },
      {
        signal: new AbortController().signal,
        requestPayload,
        secrets: this.secrets,
        nowMs: this.nowMs,
        expectMessageId: false,
      },
    ).catch((error: unknown) => ({
      result: {
        outcome: 'temporary_fail' as const,
        errorCode: ProviderErrorCode.pluginError,
        errorMessage: `batch_get_id: ${(error as Error).message}`,
      },
      body: undefined,
      logId: undefined,
    }));
    if (outcome.result.outcome !== 'success') {
      const failed: Resolution = { kind: 'failed', result: outcome.result };
      for (const item of [...emails, ...mobiles]) item.resolve(failed);
      return;
    }
    const found = foundIds(outcome.body);
    const expiresAt = this.nowMs() + this.ttlMs;
    for (const item of [...emails, ...mobiles]) {
      const openId = found.get(`${item.kind}:${item.value}`);
      if (openId === undefined) {
        item.resolve({ kind: 'not_found' });
        continue;
      }
      if (this.ttlMs > 0) this.#cache.set(`${item.kind}:${item.value}`, { openId, expiresAt });
      item.resolve({ kind: 'found', openId });
    }
  }
}

/** `data.user_list` as `email:x`/`mobile:y` → open_id; entries without `user_id` were not found. */
function foundIds(body: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const data = isRecord(body) ? body['data'] : undefined;
  const list = isRecord(data) ? data['user_list'] : undefined;
  if (!Array.isArray(list)) return found;
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry['user_id'] !== 'string' || entry['user_id'] === '') continue;
    const openId = entry['user_id'];
    if (typeof entry['email'] === 'string') found.set(`email:${entry['email']}`, openId);
    if (typeof entry['mobile'] === 'string') found.set(`mobile:${entry['mobile']}`, openId);
  }
  return found;
}
