import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { BadRequestSchema, ErrorInfoSchema } from '../../gen/google/rpc/error_details_pb.js';
import { GatewayError, type GatewayErrorKind } from '../../core/shared/gateway-error.js';

/** Domain put in every google.rpc.ErrorInfo this gateway returns. */
export const ERROR_DOMAIN = 'notify-gateway';

const CODES: Record<GatewayErrorKind, Code> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  resource_exhausted: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  internal: Code.Internal,
};

/** Driver error codes that mean "the database or broker is unreachable", not a bug. */
const UNAVAILABLE_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
]);

function isUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_ERROR_CODES.has(code)) return true;
    const message = (current as { message?: unknown }).message;
    if (
      typeof message === 'string' &&
      /connect|connection|closed|pool/i.test(message) &&
      !(current instanceof GatewayError)
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause ?? (current as { driverError?: unknown }).driverError;
  }
  return false;
}

/**
 * The one place errors become Connect/gRPC errors: GatewayError keeps its kind, reason and field
 * (as google.rpc.ErrorInfo and BadRequest details); unreachable dependencies become Unavailable;
 * anything else is Internal with a generic message, so no internals or secrets leak. The original
 * error is kept as the ConnectError's `cause`, for the server's log only.
 */
export function toConnectError(error: unknown, cause?: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof GatewayError) {
    const details = [
      {
        desc: ErrorInfoSchema,
        value: create(ErrorInfoSchema, {
          reason: error.reason,
          domain: ERROR_DOMAIN,
          metadata: error.field ? { field: error.field } : {},
        }),
      },
    ];
    // The cause rides along for the server's log (connect-es never sends it to the caller).
    const connectError = new ConnectError(error.message, CODES[error.kind], undefined, details, cause);
    if (error.field) {
      connectError.details.push({
        desc: BadRequestSchema,
        value: create(BadRequestSchema, {
          fieldViolations: [{ field: error.field, description: error.message }],
        }),
      });
    }
    return connectError;
  }
  if (isUnavailable(error)) {
    return toConnectError(
      new GatewayError(
        'unavailable',
        'dependency_unavailable',
        'a dependency (database or broker) is unavailable; retry the same request later (a repeated Trigger is deduplicated)',
      ),
      error,
    );
  }
  return toConnectError(new GatewayError('internal', 'internal_error', 'internal error'), error);
}

/** Reasons of the errors connect raises before a handler runs, by code (README "Errors"). */
const PROTOCOL_REASONS: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: 'malformed_request',
  [Code.ResourceExhausted]: 'request_too_large',
  [Code.DeadlineExceeded]: 'deadline_exceeded',
  [Code.Canceled]: 'cancelled',
  [Code.Unimplemented]: 'unimplemented',
  [Code.Unavailable]: 'unavailable',
};

/**
 * The ErrorInfo an error raised by connect itself (a body that does not decode, an unknown JSON
 * field or enum name, a request over server.maxRequestBytes, a deadline) is sent with, so every
 * failure carries one: same domain, a stable reason by code (`internal_error` when none fits).
 */
export function withProtocolErrorInfo(error: ConnectError): ConnectError {
  const info = create(ErrorInfoSchema, {
    reason: PROTOCOL_REASONS[error.code] ?? 'internal_error',
    domain: ERROR_DOMAIN,
  });
  return new ConnectError(error.rawMessage, error.code, error.metadata, [
    { desc: ErrorInfoSchema, value: info },
  ]);
}
