import { Code, ConnectError, createContextKey, type Interceptor } from '@connectrpc/connect';
import type { Logger } from '../../core/shared/logger.js';
import { newTraceId, traceIdFromTraceparent } from '../../core/shared/ids.js';
import {
  extractTraceContext,
  failSpan,
  isTracingEnabled,
  runInSpan,
  startSpan,
} from '../../core/telemetry/tracing.js';

/**
 * The trace id of the RPC in flight: the caller's (`traceparent`), the server span's, or a fresh
 * one. Handlers read it with `context.values.get(RPC_TRACE_ID)` so records carry the id the access
 * log line and the spans show.
 */
export const RPC_TRACE_ID = createContextKey<string | undefined>(undefined, { description: 'trace id' });

/** Where per-RPC measurements go (GatewayMetrics implements it). */
export interface RpcMetricsSink {
  rpcFinished(method: string, code: string, seconds: number): void;
}

/** `InvalidArgument` → `INVALID_ARGUMENT`: the canonical gRPC name operators know from every other server. */
export function grpcCodeName(code: Code | undefined): string {
  if (code === undefined) return 'OK';
  return Code[code].replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * One interceptor for what every RPC reports: a server span (child of the caller's `traceparent`),
 * the request count and latency by method and code, and an access log line at `debug`. For a
 * server stream all three cover the whole stream, not just its first message.
 */
export function createRpcObserverInterceptor(metrics: RpcMetricsSink, logger: Logger): Interceptor {
  return (next) => async (request) => {
    const method = `${request.service.typeName}/${request.method.name}`;
    const started = performance.now();
    const span = isTracingEnabled()
      ? startSpan(method, {
          kind: 'server',
          parent: extractTraceContext(headerRecord(request.header)),
          attributes: {
            'rpc.system': 'connect_rpc',
            'rpc.service': request.service.typeName,
            'rpc.method': request.method.name,
          },
        })
      : undefined;
    const traceId =
      span?.spanContext().traceId ??
      traceIdFromTraceparent(request.header.get('traceparent')) ??
      newTraceId();
    request.contextValues.set(RPC_TRACE_ID, traceId);
    const finish = (error: unknown): void => {
      const code = error === undefined ? undefined : ConnectError.from(error).code;
      const codeName = grpcCodeName(code);
      const ms = performance.now() - started;
      metrics.rpcFinished(method, codeName, ms / 1000);
      if (logger.isLevelEnabled('debug'))
        logger.debug({ rpc: method, code: codeName, ms: Math.round(ms * 10) / 10, trace_id: traceId }, 'rpc');
      if (span) {
        span.setAttribute('rpc.grpc.status_code', code ?? 0);
        if (error !== undefined && isServerFault(code)) failSpan(span, error);
        span.end();
      }
    };
    let response;
    try {
      response = await runInSpan(span, () => next(request));
    } catch (error) {
      finish(error);
      throw error;
    }
    if (!response.stream) {
      finish(undefined);
      return response;
    }
    return { ...response, message: observeStream(response.message, finish) };
  };
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, key) => (record[key] = value));
  return record;
}

/** Caller mistakes (InvalidArgument, NotFound, …) are answers, not failures of this server. */
function isServerFault(code: Code | undefined): boolean {
  return (
    code === Code.Internal || code === Code.Unknown || code === Code.Unavailable || code === Code.DataLoss
  );
}

async function* observeStream<T>(
  messages: AsyncIterable<T>,
  finish: (error: unknown) => void,
): AsyncGenerator<T> {
  let failure: unknown;
  try {
    yield* messages;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    finish(failure);
  }
}
