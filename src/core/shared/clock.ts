/** Where the core reads time, injected so tests control it. */
export interface Clock {
  now(): Date;
}

/** The process clock. */
export const systemClock: Clock = { now: () => new Date() };
