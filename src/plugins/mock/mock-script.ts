import { DELIVERY_OUTCOMES, type DeliveryOutcome } from '../../core/contract/index.js';

/** One scripted answer: `outcome[:error_code[:retry_after_ms]]`. */
export interface ScriptedAnswer {
  readonly outcome: DeliveryOutcome;
  readonly errorCode?: string;
  readonly retryAfterMs?: number;
}

const DEFAULT_CODES: Record<DeliveryOutcome, string | undefined> = {
  success: undefined,
  temporary_fail: 'mock_temporary',
  permanent_fail: 'mock_permanent',
  skipped: 'mock_skipped',
};

/** Parse one answer, e.g. `temporary_fail:provider_rate_limited:1500`. */
export function parseScriptedAnswer(text: string): ScriptedAnswer {
  const [outcome = '', errorCode, retryAfter] = text.trim().split(':');
  if (!DELIVERY_OUTCOMES.includes(outcome as DeliveryOutcome)) {
    throw new Error(`unknown mock outcome "${outcome}" (expected ${DELIVERY_OUTCOMES.join(', ')})`);
  }
  const typed = outcome as DeliveryOutcome;
  const retryAfterMs = retryAfter === undefined ? undefined : Number(retryAfter);
  if (retryAfterMs !== undefined && !Number.isFinite(retryAfterMs)) {
    throw new Error(`mock retry_after_ms "${retryAfter}" is not a number`);
  }
  return { outcome: typed, errorCode: errorCode || DEFAULT_CODES[typed], retryAfterMs };
}

/**
 * The answer for call `attemptNo` (1-based) of a comma-separated script; the last entry repeats,
 * so `temporary_fail,success` fails once and then succeeds forever.
 */
export function answerFor(script: string, attemptNo: number): ScriptedAnswer {
  const entries = script.split(',').filter((entry) => entry.trim().length > 0);
  const entry = entries[Math.min(attemptNo, entries.length) - 1] ?? 'success';
  return parseScriptedAnswer(entry);
}
