import type { Agent } from 'undici';
import { createSafeAgent } from '../http-kit/http-agent.js';
import type { HttpResponse } from '../http-kit/http-call.js';
import { createRateLimiter, type RateLimiter } from '../http-kit/rate-limiter.js';
import type { TransportFailure } from '../http-kit/transport-failure.js';
import type { OpenidConfig } from './config.js';
import { postMessage, type OutgoingMessage } from './send-call.js';
import { fetchTenantToken } from './token-client.js';
import { TenantTokenCache, type TokenLookup } from './token-cache.js';

/** One im/v1 call: the answer and the token it used, or why no call was made. */
export type AttemptResult =
  | { readonly kind: 'answered'; readonly token: string; readonly answer: HttpResponse | TransportFailure }
  | { readonly kind: 'no_token'; readonly failure: Extract<TokenLookup, { kind: 'failure' }> };

/**
 * The per-channel connection state of the app bot: one agent, the token cache and the limiters.
 * Holds no per-request state, so concurrent sends can share it.
 */
export class OpenidClient {
  readonly #agent: Agent;
  readonly #appLimiter: RateLimiter;
  readonly #userLimiter: RateLimiter;
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
    this.#tokens = new TenantTokenCache(nowMs, config.tokenRefreshMarginMs);
    this.#tokenKey = `${config.baseUrl}\n${config.appId}`;
    this.#deadlineMs = config.connectTimeoutMs + config.timeoutMs;
  }

  /** Gets a token (cached or single-flight fetched), waits for rate slots, and posts once. */
  async attempt(message: OutgoingMessage, signal: AbortSignal): Promise<AttemptResult> {
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
    const releaseUser = await this.#userLimiter.acquire(message.receive_id, signal);
    const releaseApp = await this.#appLimiter.acquire('app', signal);
    const transport = {
      dispatcher: this.#agent,
      baseUrl: this.config.baseUrl,
      deadlineMs: this.#deadlineMs,
      signal,
    };
    const answer = await postMessage(transport, token.token, message).finally(() => {
      releaseApp();
      releaseUser();
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
