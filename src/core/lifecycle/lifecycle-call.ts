import { setTimeout as sleep } from 'node:timers/promises';
import type { RetryConfig } from '../config/gateway-config.js';
import type { SendResult } from '../contract/index.js';
import { backoffDelayMs } from '../delivery/retry-policy.js';
import type { AttemptKind, AttemptRecord } from '../notification/notification-record.js';
import type { Clock } from '../shared/clock.js';

/** How many calls one update or recall may take (temporary failures are retried). */
export const LIFECYCLE_MAX_CALLS = 4;

/** What running a lifecycle call needs. */
export interface LifecycleCallDeps {
  readonly clock: Clock;
  readonly retry: RetryConfig;
  /** Writes one attempt row per provider call. */
  readonly record: (attempt: AttemptRecord) => Promise<void>;
  /** Aborted at shutdown: the retry loop stops. */
  readonly signal: AbortSignal;
}

/**
 * Runs one update or recall: every provider call is its own attempt row (kind `update`/`recall`),
 * temporary failures are retried with the delivery backoff (a provider hint wins), permanent ones
 * end it. Updates re-render the full message, so a replayed call is harmless.
 */
export async function runLifecycleCall(
  kind: Exclude<AttemptKind, 'send'>,
  notificationId: string,
  call: (signal: AbortSignal) => Promise<SendResult>,
  deps: LifecycleCallDeps,
  maxCalls: number = LIFECYCLE_MAX_CALLS,
): Promise<SendResult> {
  let result: SendResult = { outcome: 'temporary_fail', errorCode: 'not_called' };
  for (let n = 1; n <= maxCalls && !deps.signal.aborted; n += 1) {
    const startedAt = deps.clock.now();
    const started = performance.now();
    result = await call(deps.signal).catch((error: unknown): SendResult => ({
      outcome: 'temporary_fail',
      errorCode: 'plugin_error',
      errorMessage: `plugin threw: ${error instanceof Error ? error.message : String(error)}`,
    }));
    await deps.record({
      kind,
      notificationId,
      attemptNo: 0,
      outcome: result.outcome,
      errorCode: result.errorCode ?? null,
      errorMessage: result.errorMessage ?? null,
      requestPayload: result.requestPayload ?? null,
      responsePayload: result.responsePayload ?? null,
      durationMs: performance.now() - started,
      startedAt,
      possibleDuplicate: false,
    });
    if (result.outcome !== 'temporary_fail' || n === maxCalls) return result;
    const delay = result.retryAfterMs ?? backoffDelayMs(deps.retry, n, Math.random);
    await sleep(delay, undefined, { signal: deps.signal }).catch(() => undefined);
  }
  return result;
}
