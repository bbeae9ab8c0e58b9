/**
 * The HTTP kit for channel plugins, for any provider: an SSRF-safe agent, a JSON POST with
 * transport-failure classification and its verdict, failure/success results with secrets
 * redacted, a rate limiter and Retry-After parsing. Published as `notify-gateway/http-kit`;
 * plugins import it and the contract, nothing else of the gateway (docs/writing-a-plugin.md).
 */
export { createSafeAgent, type SafeAgentOptions } from './http-agent.js';
export { isRecord, postJson, type HttpResponse, type PostJsonOptions } from './http-call.js';
export { isIpLiteral, isPrivateAddress } from './private-address.js';
export { createRateLimiter, type RateLimiter, type RateWindow, type ReleaseSlot } from './rate-limiter.js';
export { REDACTED, redactDeep, redactText } from './redact.js';
export { IN_FLIGHT_RETRY_MS, readRetryAfterMs, retryHintFor, type RetryHintOptions } from './retry-after.js';
export { PRIVATE_ADDRESS_ERROR_CODE, PrivateAddressError, createSafeLookup } from './safe-lookup.js';
export { failureResult, successResult, type FailureInput } from './send-result.js';
export { classifyTransportError, type TransportFailure, type TransportPhase } from './transport-failure.js';
export { judgeTransportFailure, type TransportVerdict } from './transport-verdict.js';
export { permanent, temporary, type Classification } from './verdict.js';
