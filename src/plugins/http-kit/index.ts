/**
 * The HTTP kit for channel plugins: an SSRF-safe agent, a JSON POST with transport-failure
 * classification, a rate limiter, secret redaction and Retry-After parsing. Published as
 * `notify-gateway/http-kit`; plugins import it and the contract, nothing else of the gateway.
 */
export { createFeishuAgent, type FeishuAgentOptions } from './http-agent.js';
export { postJson, type HttpResponse, type PostJsonOptions } from './http-call.js';
export { isIpLiteral, isPrivateAddress } from './private-address.js';
export { createRateLimiter, type RateLimiter, type RateWindow, type ReleaseSlot } from './rate-limiter.js';
export { REDACTED, redactDeep, redactText } from './redact.js';
export { IN_FLIGHT_RETRY_MS, readRetryAfterMs, retryHintFor } from './retry-after.js';
export { PRIVATE_ADDRESS_ERROR_CODE, PrivateAddressError, createSafeLookup } from './safe-lookup.js';
export { classifyTransportError, type TransportFailure, type TransportPhase } from './transport-failure.js';
