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
  // One controller per call, linked to shutdown by a listener removed when the call ends.
  // AbortSignal.any() would keep every per-call signal alive on the long-lived shutdown signal
  // (a leak measured in the benchmark: nodejs/node#55351).
  const controller = new AbortController();
  const signal = controller.signal;
  const onShutdown = () => controller.abort(shutdown.reason);
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<SendResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('send timeout'));
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
    shutdown.removeEventListener('abort', onShutdown);
  }
}
