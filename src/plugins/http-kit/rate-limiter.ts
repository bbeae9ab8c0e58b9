/** One sliding window: at most `limit` calls in any `windowMs` span. */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

/** Ends a call started with `acquire`; idempotent. */
export type ReleaseSlot = () => void;

/** A keyed client-side throttle; `acquire` waits for a slot and never rejects. */
export interface RateLimiter {
  /**
   * Resolves when a call for `key` may start; call the returned function when the call has
   * finished. Resolves early (with a no-op) if `signal` aborts, so shutdown is never blocked.
   */
  acquire(key: string, signal?: AbortSignal): Promise<ReleaseSlot>;
}

interface KeyState {
  inFlight: number;
  /** Completion times (monotonic ms), ascending. */
  readonly done: number[];
  readonly waiters: Array<() => void>;
  timer: NodeJS.Timeout | undefined;
}

/** Monotonic milliseconds; wall-clock jumps must not open or close the window. */
const monotonicNow = (): number => performance.now();
const NOOP: ReleaseSlot = () => undefined;
const SWEEP_EVERY = 1000;

/**
 * Creates a sliding-window limiter that counts a call from its START until one window after it
 * FINISHED. Providers (Feishu) count request *arrivals*, which we cannot see; an arrival lies between start
 * and completion, so starting a call one window after an earlier call completed can never put
 * `limit + 1` arrivals in one provider window, however uneven the latency (a first request paying a
 * TLS handshake arrives late; counting from its start would let the next burst overlap it).
 */
export function createRateLimiter(windows: readonly RateWindow[], now = monotonicNow): RateLimiter {
  return new SlidingWindowLimiter(
    windows.filter((window) => window.limit > 0 && window.windowMs > 0),
    now,
  );
}

/** FIFO per key; see createRateLimiter. */
class SlidingWindowLimiter implements RateLimiter {
  readonly #states = new Map<string, KeyState>();
  readonly #longest: number;
  #acquiresSinceSweep = 0;

  constructor(
    private readonly windows: readonly RateWindow[],
    private readonly now: () => number,
  ) {
    this.#longest = Math.max(0, ...windows.map((window) => window.windowMs));
  }

  acquire(key: string, signal?: AbortSignal): Promise<ReleaseSlot> {
    if (this.windows.length === 0 || signal?.aborted) return Promise.resolve(NOOP);
    if (++this.#acquiresSinceSweep >= SWEEP_EVERY) this.#sweep();
    let state = this.#states.get(key);
    if (!state) {
      state = { inFlight: 0, done: [], waiters: [], timer: undefined };
      this.#states.set(key, state);
    }
    const keyState = state;
    return new Promise<ReleaseSlot>((resolve) => {
      const onAbort = (): void => {
        const index = keyState.waiters.indexOf(grant);
        if (index >= 0) keyState.waiters.splice(index, 1);
        resolve(NOOP);
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#release(key, keyState));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      keyState.waiters.push(grant);
      this.#pump(key, keyState);
    });
  }

  /** ms until the next call may start: 0 now, Infinity "after some in-flight call ends". */
  #delayFor(state: KeyState, at: number): number {
    while (state.done.length > 0 && (state.done[0] as number) <= at - this.#longest) state.done.shift();
    let wait = 0;
    for (const window of this.windows) {
      const inWindow = state.done.filter((time) => time > at - window.windowMs);
      const mustExpire = state.inFlight + inWindow.length - window.limit + 1;
      if (mustExpire <= 0) continue;
      if (mustExpire > inWindow.length) return Infinity;
      wait = Math.max(wait, (inWindow[mustExpire - 1] as number) + window.windowMs - at);
    }
    return wait;
  }

  #pump(key: string, state: KeyState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    while (state.waiters.length > 0) {
      const wait = this.#delayFor(state, this.now());
      if (wait === Infinity) return;
      if (wait > 0) {
        state.timer = setTimeout(() => this.#pump(key, state), Math.ceil(wait));
        return;
      }
      state.inFlight += 1;
      (state.waiters.shift() as () => void)();
    }
    this.#forgetIfIdle(key, state);
  }

  #release(key: string, state: KeyState): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.inFlight -= 1;
      state.done.push(this.now());
      this.#pump(key, state);
    };
  }

  /** Keys are per webhook URL / per user: drop them once their history has aged out. */
  #forgetIfIdle(key: string, state: KeyState): void {
    const last = state.done[state.done.length - 1] ?? -Infinity;
    if (state.inFlight === 0 && state.waiters.length === 0 && last <= this.now() - this.#longest) {
      this.#states.delete(key);
    }
  }

  #sweep(): void {
    this.#acquiresSinceSweep = 0;
    for (const [key, state] of this.#states) this.#forgetIfIdle(key, state);
  }
}
