import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import type { Logger } from '../../core/shared/logger.js';

/**
 * Log RPCs that failed on our side (Internal, Unavailable, Unknown) with the original cause, which
 * the caller never sees. Caller mistakes (InvalidArgument, NotFound, …) are not errors here.
 */
export function createErrorLoggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      const connectError = ConnectError.from(error);
      if ([Code.Internal, Code.Unavailable, Code.Unknown].includes(connectError.code)) {
        const cause = connectError.cause instanceof Error ? connectError.cause : undefined;
        logger.error(
          {
            rpc: `${request.service.typeName}/${request.method.name}`,
            code: Code[connectError.code],
            err: cause ?? connectError,
          },
          'rpc failed',
        );
      }
      throw error;
    }
  };
}
