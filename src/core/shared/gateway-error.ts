/** Error kinds callers see; each maps to exactly one gRPC/Connect code (rpc/error-mapping.ts). */
export type GatewayErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'unauthenticated'
  | 'permission_denied'
  | 'resource_exhausted'
  | 'unavailable'
  | 'internal';

/**
 * The one error type the core throws at callers. `reason` is a stable machine-readable
 * snake_case string (e.g. `field_required`); `field` names the offending request field.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly kind: GatewayErrorKind,
    readonly reason: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A request field is missing or malformed. */
export function invalidField(field: string, reason: string, message: string): GatewayError {
  return new GatewayError('invalid_argument', reason, `${field}: ${message}`, field);
}

/** A dependency (database, broker) is unreachable; callers may retry. */
export function unavailable(reason: string, message: string): GatewayError {
  return new GatewayError('unavailable', reason, message);
}
