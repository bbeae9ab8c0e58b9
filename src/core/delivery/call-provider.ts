import {
  DELIVERY_OUTCOMES,
  ProviderErrorCode,
  type ChannelProvider,
  type SendRequest,
  type SendResult,
} from '../contract/index.js';

/** A provider result plus how long the call took. */
export interface TimedResult {
  readonly result: SendResult;
  readonly durationMs: number;
}

function pluginError(message: string): SendResult {
  return { outcome: 'temporary_fail', errorCode: ProviderErrorCode.pluginError, errorMessage: message };
}

/**
 * Call a provider defensively: a throw or a malformed result becomes a temporary plugin_error,
 * and a call still running after `timeoutMs` is abandoned as a provider_timeout whose outcome is
 * unknown (it may still deliver). A plugin can never crash the worker.
 */
export async function callProvider(
  provider: ChannelProvider,
  request: Omit<SendRequest, 'signal'>,
  timeoutMs: number,
  shutdown: AbortSignal,
): Promise<TimedResult> {
  const started = performance.now();
  const timeout = new AbortController();
  const signal = AbortSignal.any([shutdown, timeout.signal]);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<SendResult>((resolve) => {
    timer = setTimeout(() => {
      timeout.abort(new Error('send timeout'));
      resolve({
        outcome: 'temporary_fail',
        errorCode: ProviderErrorCode.timeout,
        errorMessage: `provider did not answer within ${timeoutMs} ms`,
        outcomeUnknown: true,
      });
    }, timeoutMs);
  });
  const call = Promise.resolve()
    .then(() => provider.send({ ...request, signal }))
    .then(
      (result) =>
        result && DELIVERY_OUTCOMES.includes(result.outcome)
          ? result
          : pluginError(`plugin returned an invalid result: ${JSON.stringify(result)?.slice(0, 200)}`),
      (error: unknown) =>
        pluginError(`plugin threw: ${error instanceof Error ? error.message : String(error)}`),
    );
  try {
    const result = await Promise.race([call, timedOut]);
    return { result, durationMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}
