/**
 * `notify-gateway/client`: a typed client for the gateway's API. It imports only connect and the
 * generated code, never the server (no database, broker or plugin module is loaded).
 */
import { createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { ConfigService } from '../gen/notify/v1/config_service_pb.js';
import { NotificationService } from '../gen/notify/v1/notification_service_pb.js';
import { OperationsService } from '../gen/notify/v1/operations_service_pb.js';
import { ScheduleService } from '../gen/notify/v1/schedule_service_pb.js';
import { createRetryInterceptor, type RetryOptions } from './retry-interceptor.js';

export * from '../gen/notify/v1/notification_pb.js';
export * from '../gen/notify/v1/notification_service_pb.js';
export * from '../gen/notify/v1/config_service_pb.js';
export * from '../gen/notify/v1/schedule_service_pb.js';
export * from '../gen/notify/v1/operations_service_pb.js';
/** `google.rpc.ErrorInfo` and `BadRequest`: read them with `ConnectError.findDetails(ErrorInfoSchema)`. */
export {
  ErrorInfoSchema,
  BadRequestSchema,
  type ErrorInfo,
  type BadRequest,
} from '../gen/google/rpc/error_details_pb.js';
export { createRetryInterceptor, RETRIED_METHODS, type RetryOptions } from './retry-interceptor.js';

/** Deadline of every call unless the call passes its own `timeoutMs`: 10 s. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Options of {@link createNotifyClient}. */
export interface NotifyClientOptions {
  /** `http://127.0.0.1:8080` (the gateway's port; `https://…` behind TLS). */
  readonly baseUrl: string;
  /** Sent as `authorization: Bearer <apiKey>`; omit when the gateway has no keys configured. */
  readonly apiKey?: string;
  /** `grpc` (HTTP/2, the default) or `connect` (Connect protocol, HTTP/1.1 unless httpVersion says 2). */
  readonly protocol?: 'grpc' | 'connect';
  /** For `connect` only: `1.1` (default) or `2`. gRPC always uses HTTP/2. */
  readonly httpVersion?: '1.1' | '2';
  /** Deadline per call in ms, retries included (default {@link DEFAULT_TIMEOUT_MS}); a call may pass its own. */
  readonly timeoutMs?: number;
  /** Backoff for retried methods (see RETRIED_METHODS), or false to never retry. */
  readonly retry?: RetryOptions | false;
  /** More interceptors, run inside the retry (once per attempt). */
  readonly interceptors?: readonly Interceptor[];
}

/** One client per service, sharing one connection; `close()` ends it. */
export interface NotifyClient {
  readonly notifications: Client<typeof NotificationService>;
  readonly config: Client<typeof ConfigService>;
  readonly schedules: Client<typeof ScheduleService>;
  readonly operations: Client<typeof OperationsService>;
  /** Closes the HTTP/2 connection (a no-op for HTTP/1.1, whose sockets are pooled by Node). */
  close(): void;
}

/**
 * A typed client with a deadline on every call and retries of UNAVAILABLE / RESOURCE_EXHAUSTED
 * (with backoff) for the methods that are safe to repeat.
 * @throws RangeError for a bad protocol or retry setting.
 */
export function createNotifyClient(options: NotifyClientOptions): NotifyClient {
  const protocol = options.protocol ?? 'grpc';
  if (protocol !== 'grpc' && protocol !== 'connect')
    throw new RangeError(`unknown protocol "${String(protocol)}"`);
  const interceptors: Interceptor[] = [];
  if (options.retry !== false) interceptors.push(createRetryInterceptor(options.retry ?? {}));
  const apiKey = options.apiKey;
  if (apiKey) {
    interceptors.push((next) => (request) => {
      request.header.set('authorization', `Bearer ${apiKey}`);
      return next(request);
    });
  }
  interceptors.push(...(options.interceptors ?? []));
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const http2 = protocol === 'grpc' || options.httpVersion === '2';
  const sessionManager = http2 ? new Http2SessionManager(options.baseUrl) : undefined;
  const transport =
    protocol === 'grpc'
      ? createGrpcTransport({ baseUrl: options.baseUrl, interceptors, defaultTimeoutMs, sessionManager })
      : sessionManager
        ? createConnectTransport({
            baseUrl: options.baseUrl,
            httpVersion: '2',
            interceptors,
            defaultTimeoutMs,
            sessionManager,
          })
        : createConnectTransport({
            baseUrl: options.baseUrl,
            httpVersion: '1.1',
            interceptors,
            defaultTimeoutMs,
          });
  return {
    notifications: createClient(NotificationService, transport),
    config: createClient(ConfigService, transport),
    schedules: createClient(ScheduleService, transport),
    operations: createClient(OperationsService, transport),
    close: () => sessionManager?.abort(),
  };
}
