/** The emulator's notion of "now", for token expiry, signature skew and uuid windows. */
export interface EmulatorClock {
  now(): number;
  /** Freeze the clock at `at`. */
  set(at: number | Date): void;
  /** Move the clock forward (frozen or not). */
  advance(ms: number): void;
  /** Follow the real clock again (keeping any offset from `advance`). */
  unfreeze(): void;
}

/** A real-time clock that tests can freeze or move. */
export function createEmulatorClock(): EmulatorClock {
  let frozen: number | undefined;
  let offset = 0;
  return {
    now: () => frozen ?? Date.now() + offset,
    set(at) {
      frozen = typeof at === 'number' ? at : at.getTime();
    },
    advance(ms) {
      if (frozen !== undefined) frozen += ms;
      else offset += ms;
    },
    unfreeze() {
      if (frozen !== undefined) offset = frozen - Date.now();
      frozen = undefined;
    },
  };
}

/** Sliding-window counter on monotonic time: `hit()` records a call and says if it is within limits. */
export class SlidingWindow {
  readonly #times: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  hit(): boolean {
    const at = performance.now();
    while (this.#times.length > 0 && (this.#times[0] as number) <= at - this.windowMs) this.#times.shift();
    this.#times.push(at);
    return this.#times.length <= this.limit;
  }
}
