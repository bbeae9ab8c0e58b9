import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import type { Logger } from '../../core/shared/logger.js';

/** Codes that mean the failure was on our side (or a dependency's), not the caller's. */
const SERVER_FAULTS: ReadonlySet<Code> = new Set([Code.Internal, Code.Unavailable, Code.Unknown]);

/** Codes a caller brings on itself by its deadline or by cancelling. */
const CALLER_ENDED: ReadonlySet<Code> = new Set([Code.Canceled, Code.DeadlineExceeded]);

/** How deep a cause chain is followed (error → driverError/cause → …). */
const MAX_CAUSE_DEPTH = 4;

/**
 * The cause of a failed RPC as a plain object pino's error serializer prints in full: type,
 * message, stack and driver codes, following `cause`/`driverError`. Only named fields are copied:
 * a failed query also carries its SQL parameters (message text, settings), which stay out of logs.
 */
export function describeCause(error: unknown, depth = 0): Record<string, unknown> | undefined {
  if (!(error instanceof Error) || depth >= MAX_CAUSE_DEPTH) return undefined;
  const fields = error as Error & Record<string, unknown>;
  const inner = fields.driverError ?? error.cause;
  const described: Record<string, unknown> = {
    type: error.name,
    message: error.message,
    stack: error.stack,
  };
  for (const key of ['code', 'errno', 'sqlState', 'sqlMessage']) {
    if (typeof fields[key] === 'string' || typeof fields[key] === 'number') described[key] = fields[key];
  }
  const cause = inner === error ? undefined : describeCause(inner, depth + 1);
  return cause ? { ...described, cause } : described;
}

/**
 * Log RPCs that failed on our side (Internal, Unavailable, Unknown) at error level with the
 * original cause and its stack, which the caller never sees. A call that ended because the caller's
 * own deadline passed or it cancelled is logged at info: nothing to fix on our side. Caller
 * mistakes (InvalidArgument, NotFound, …) are not logged here.
 */
export function createErrorLoggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      const connectError = ConnectError.from(error);
      const fields = {
        rpc: `${request.service.typeName}/${request.method.name}`,
        code: Code[connectError.code],
      };
      if (
        CALLER_ENDED.has(connectError.code) ||
        (request.signal.aborted && SERVER_FAULTS.has(connectError.code))
      ) {
        logger.info(
          { ...fields, message: connectError.rawMessage },
          'rpc ended by the caller (deadline or cancel)',
        );
      } else if (SERVER_FAULTS.has(connectError.code)) {
        // Never the ConnectError itself: pino would print its details' protobuf descriptors.
        const cause = describeCause(connectError.cause) ?? {
          type: 'ConnectError',
          message: connectError.rawMessage,
          stack: connectError.stack,
        };
        logger.error({ ...fields, message: connectError.rawMessage, err: cause }, 'rpc failed');
      }
      throw error;
    }
  };
}
