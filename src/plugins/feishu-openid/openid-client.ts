import type { Agent } from 'undici';
import { createSafeAgent } from '../http-kit/http-agent.js';
import { sendJson, type HttpResponse } from '../http-kit/http-call.js';
import { createRateLimiter, type RateLimiter, type ReleaseSlot } from '../http-kit/rate-limiter.js';
import type { TransportFailure } from '../http-kit/transport-failure.js';
import type { OpenidConfig } from './config.js';
import { fetchTenantToken } from './token-client.js';
import { TenantTokenCache, type TokenLookup } from './token-cache.js';

/** One open-platform call: the answer and the token it used, or why no call was made. */
export type AttemptResult =
  | { readonly kind: 'answered'; readonly token: string; readonly answer: HttpResponse | TransportFailure }
  | { readonly kind: 'no_token'; readonly failure: Extract<TokenLookup, { kind: 'failure' }> };

/** One authenticated call and the Feishu quotas it counts against besides the app's. */
export interface ApiCall {
  readonly method: 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. `/open-apis/im/v1/messages?receive_id_type=open_id`. */
  readonly path: string;
  readonly body?: string;
  /** The recipient (5 QPS per user or group, docs/feishu-notes.md §3.3). */
  readonly recipient?: string;
  /** The message being updated or recalled (5 QPS per message, docs/feishu-notes.md §10). */
  readonly messageId?: string;
}

/**
 * The per-channel connection state of the app bot: one agent, the token cache and the limiters.
 * Sends, card updates, recalls and id lookups share the app's quota. Holds no per-request state,
 * so concurrent calls can share it.
 */
export class OpenidClient {
  readonly #agent: Agent;
  readonly #appLimiter: RateLimiter;
  readonly #userLimiter: RateLimiter;
  readonly #messageLimiter: RateLimiter;
  readonly #tokens: TenantTokenCache;
  readonly #tokenKey: string;
  readonly #deadlineMs: number;

  constructor(
    private readonly config: OpenidConfig,
    private readonly nowMs: () => number,
  ) {
    // baseUrl is operator config, not user input, so private addresses (an on-prem proxy, the
    // test emulator) are allowed; user-supplied URLs only exist in feishu-webhook.
    this.#agent = createSafeAgent({ ...config, allowPrivateNetwork: true });
    this.#appLimiter = createRateLimiter([
      { limit: config.ratePerSecond, windowMs: 1000 },
      { limit: config.ratePerMinute, windowMs: 60_000 },
    ]);
    this.#userLimiter = createRateLimiter([{ limit: config.ratePerUserPerSecond, windowMs: 1000 }]);
    this.#messageLimiter = createRateLimiter([{ limit: config.ratePerMessagePerSecond, windowMs: 1000 }]);
    this.#tokens = new TenantTokenCache(nowMs, config.tokenRefreshMarginMs);
    this.#tokenKey = `${config.baseUrl}\n${config.appId}`;
    this.#deadlineMs = config.connectTimeoutMs + config.timeoutMs;
  }

  /** Gets a token (cached or single-flight fetched), waits for rate slots, and calls once. */
  async attempt(call: ApiCall, signal: AbortSignal): Promise<AttemptResult> {
    const token = await this.#tokens.get(this.#tokenKey, () =>
      fetchTenantToken({
        dispatcher: this.#agent,
        ...this.config,
        deadlineMs: this.#deadlineMs,
        nowMs: this.nowMs(),
      }),
    );
    if (token.kind === 'failure') return { kind: 'no_token', failure: token };
    // Slots are taken after the token is in hand: a slot held across a slow token fetch would
    // let this request arrive in the same Feishu window as the next burst.
    const releases: ReleaseSlot[] = [];
    if (call.recipient !== undefined) releases.push(await this.#userLimiter.acquire(call.recipient, signal));
    if (call.messageId !== undefined)
      releases.push(await this.#messageLimiter.acquire(call.messageId, signal));
    releases.push(await this.#appLimiter.acquire('app', signal));
    const answer = await sendJson(
      this.#agent,
      call.method,
      new URL(`${this.config.baseUrl}${call.path}`),
      call.body,
      {
        headers: { authorization: `Bearer ${token.token}` },
        signal,
        deadlineMs: this.#deadlineMs,
      },
    ).finally(() => {
      for (const release of releases) release();
    });
    return { kind: 'answered', token: token.token, answer };
  }

  /** Drops a token Feishu rejected, unless a concurrent send already replaced it. */
  evictToken(token: string): void {
    this.#tokens.evict(this.#tokenKey, token);
  }

  /** Destroys the agent's sockets. */
  close(): Promise<void> {
    return this.#agent.destroy();
  }
}
