import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';

/** Backoff of {@link createRetryInterceptor}; every field has a default. */
export interface RetryOptions {
  /** Calls in total, the first included (default 4; 1 turns retries off). */
  readonly maxAttempts?: number;
  /** Cap of the first backoff in ms (default 100); each retry doubles it. */
  readonly initialDelayMs?: number;
  /** Cap of any one backoff in ms (default 2000). */
  readonly maxDelayMs?: number;
}

/**
 * Methods a retry cannot turn into a second effect: Trigger (deduplicated by `trigger_id` /
 * `dedupe_key`), PublishEvent (deduplicated by its event id), ScheduleJob (idempotent by
 * `job_key`) and the reads. Not retried: RetryNotification, CancelNotification and CancelJob (a
 * repeat of one that succeeded answers FAILED_PRECONDITION and hides the success), Upsert/Delete
 * of channel settings (a repeat could undo a concurrent change), TestChannel (sends a real
 * message), and every stream.
 */
export const RETRIED_METHODS: ReadonlySet<string> = new Set([
  'Trigger',
  'PublishEvent',
  'ScheduleJob',
  'GetNotification',
  'ListNotifications',
  'GetUserConfig',
  'ListChannels',
  'GetJob',
  'ListJobs',
  'GetOverview',
]);

/** Codes that mean "not now": the server was unreachable or shed load (`overloaded`). */
const RETRIED_CODES: ReadonlySet<Code> = new Set([Code.Unavailable, Code.ResourceExhausted]);

/**
 * Retries a unary call of {@link RETRIED_METHODS} that failed with UNAVAILABLE or
 * RESOURCE_EXHAUSTED, after an exponential backoff with full jitter (uniform in [0, cap], the cap
 * doubling from initialDelayMs up to maxDelayMs). The call's deadline (timeoutMs) covers every
 * attempt: once it has passed, the last error is thrown.
 */
export function createRetryInterceptor(
  options: RetryOptions = {},
  random: () => number = Math.random,
): Interceptor {
  const maxAttempts = options.maxAttempts ?? 4;
  const initialDelayMs = options.initialDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 2000;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError('retry.maxAttempts must be an integer ≥ 1');
  if (initialDelayMs < 0 || maxDelayMs < initialDelayMs)
    throw new RangeError('retry delays must satisfy 0 ≤ initialDelayMs ≤ maxDelayMs');
  return (next) => async (request) => {
    if (request.stream || !RETRIED_METHODS.has(request.method.name)) return next(request);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await next(request);
      } catch (error) {
        const code = ConnectError.from(error).code;
        if (attempt >= maxAttempts || !RETRIED_CODES.has(code) || request.signal.aborted) throw error;
        const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
        const slept = await sleep(Math.round(random() * cap), request.signal);
        if (!slept) throw error;
      }
    }
  };
}

/** Resolves true after ms, or false as soon as signal aborts (the deadline passed). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
