import { toConnectError } from '../adapters/rpc/error-mapping.js';
import type { GatewayConfig } from '../core/config/gateway-config.js';
import { GatewayError } from '../core/shared/gateway-error.js';
import type { RefusalReason } from '../rpc-kit/transport/memory-guard.js';
import type { RpcListenerOptions } from '../rpc-kit/transport/rpc-listener.js';

/** The `server.*` transport settings every listener of this process shares (memory bounds, HTTP/2 caps). */
export function transportOptions(
  config: GatewayConfig,
): Pick<
  RpcListenerOptions,
  | 'host'
  | 'maxConcurrentStreams'
  | 'http2MaxSessionMemoryMb'
  | 'idleTimeoutMs'
  | 'memoryLimits'
  | 'refusalError'
> {
  const server = config.server;
  return {
    host: server.host,
    maxConcurrentStreams: server.maxConcurrentStreams,
    http2MaxSessionMemoryMb: server.http2MaxSessionMemoryMb,
    idleTimeoutMs: server.idleTimeoutMs,
    memoryLimits: {
      maxBufferedRequestBytes: server.maxBufferedRequestBytes,
      maxBufferedRequestBytesPerConnection: server.maxBufferedRequestBytesPerConnection,
      requestBodyTimeoutMs: server.requestBodyTimeoutMs,
      maxUnsentResponseBytes: server.maxUnsentResponseBytes,
      responseTimeoutMs: server.responseTimeoutMs,
    },
    refusalError: (reason: RefusalReason) =>
      toConnectError(
        reason === 'request_timeout'
          ? new GatewayError('unavailable', 'request_body_timeout', 'the request body did not arrive in time')
          : new GatewayError(
              'resource_exhausted',
              'overloaded',
              'too many request bytes in flight; retry later',
            ),
      ),
  };
}
