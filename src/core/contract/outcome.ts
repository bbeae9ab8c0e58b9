/**
 * How one provider call ended, as classified by the channel plugin. The core, not the plugin,
 * decides what happens next (retry, dead, done).
 */
export type DeliveryOutcome = 'success' | 'temporary_fail' | 'permanent_fail' | 'skipped';

/** Every outcome value, for validation at the plugin boundary. */
export const DELIVERY_OUTCOMES: readonly DeliveryOutcome[] = [
  'success',
  'temporary_fail',
  'permanent_fail',
  'skipped',
];

/**
 * Stable error codes plugins should prefer (stored in the database and shown to callers).
 * Plugins may return other snake_case codes; these are the shared vocabulary.
 */
export const ProviderErrorCode = {
  timeout: 'provider_timeout',
  rateLimited: 'provider_rate_limited',
  serverError: 'provider_5xx',
  networkError: 'network_error',
  recipientMissing: 'recipient_missing',
  recipientUnreachable: 'recipient_unreachable',
  invalidUrl: 'invalid_url',
  authFailed: 'provider_auth_failed',
  permissionDenied: 'provider_permission_denied',
  payloadInvalid: 'payload_invalid',
  contentRejected: 'content_rejected',
  quotaExceeded: 'provider_quota_exceeded',
  inFlight: 'provider_in_flight',
  badResponse: 'provider_bad_response',
  /** The plugin threw instead of returning a result (set by the core, never by a plugin). */
  pluginError: 'plugin_error',
} as const;
