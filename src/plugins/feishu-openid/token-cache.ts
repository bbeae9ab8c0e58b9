import type { TokenFetchResult } from './token-client.js';

interface CachedToken {
  readonly token: string;
  readonly refreshAtMs: number;
}

/** A usable token or the failure that prevented getting one. */
export type TokenLookup =
  Extract<TokenFetchResult, { kind: 'failure' }> | { readonly kind: 'token'; readonly token: string };

/**
 * tenant_access_token cache keyed by (baseUrl, appId). Entries are refreshed `marginMs` before
 * Feishu's expiry; concurrent misses share ONE fetch (single-flight), so a burst of sends after
 * boot or expiry costs one token call instead of one per send.
 */
export class TenantTokenCache {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #inFlight = new Map<string, Promise<TokenLookup>>();

  constructor(
    private readonly now: () => number,
    private readonly marginMs: number,
  ) {}

  /** The cached token for `key`, or the result of one shared `fetch`. */
  get(key: string, fetch: () => Promise<TokenFetchResult>): Promise<TokenLookup> {
    const cached = this.#tokens.get(key);
    if (cached && this.now() < cached.refreshAtMs)
      return Promise.resolve({ kind: 'token', token: cached.token });
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const started = this.#fetch(key, fetch).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  /**
   * Drops `token` if it is still the cached one. Comparing first matters: a concurrent send may
   * already have replaced a rejected token with a fresh one, which must not be thrown away.
   */
  evict(key: string, token: string): void {
    if (this.#tokens.get(key)?.token === token) this.#tokens.delete(key);
  }

  async #fetch(key: string, fetch: () => Promise<TokenFetchResult>): Promise<TokenLookup> {
    const fetchedAt = this.now();
    const result = await fetch();
    if (result.kind === 'failure') return result;
    // `expire` is seconds of REMAINING validity, not an absolute time (docs/feishu-notes.md §3.1).
    const refreshAtMs = fetchedAt + result.expireSeconds * 1000 - this.marginMs;
    if (refreshAtMs > fetchedAt) this.#tokens.set(key, { token: result.token, refreshAtMs });
    return { kind: 'token', token: result.token };
  }
}
