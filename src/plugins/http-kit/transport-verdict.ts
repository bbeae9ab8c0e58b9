import { ProviderErrorCode } from '../../core/contract/index.js';
import type { TransportFailure } from './transport-failure.js';
import { permanent, temporary, type Classification } from './verdict.js';

/** How a request without a response is classified, and whether the provider may have acted on it. */
export interface TransportVerdict {
  readonly classification: Classification;
  readonly outcomeUnknown: boolean;
  readonly message: string;
}

/**
 * Connect-phase failures provably never reached the provider, so they are safe to retry even for a
 * provider without idempotency (the Feishu webhook). Timeouts, resets and aborts after connect may
 * have been delivered.
 * A connect timeout is a network error, not provider_timeout: the request was never written.
 */
export function judgeTransportFailure(failure: TransportFailure): TransportVerdict {
  switch (failure.phase) {
    case 'connect':
      return verdict(
        temporary(ProviderErrorCode.networkError),
        false,
        `connection failed: ${failure.detail}`,
      );
    case 'private_address':
      return verdict(permanent(ProviderErrorCode.invalidUrl), false, 'host resolves to a private address');
    case 'timeout':
      return verdict(temporary(ProviderErrorCode.timeout), true, `no answer in time: ${failure.detail}`);
    case 'reset':
      return verdict(temporary(ProviderErrorCode.networkError), true, `connection lost: ${failure.detail}`);
    case 'aborted':
      return verdict(temporary(ProviderErrorCode.networkError), true, 'aborted by the gateway');
  }
}

function verdict(classification: Classification, outcomeUnknown: boolean, message: string): TransportVerdict {
  return { classification, outcomeUnknown, message };
}
