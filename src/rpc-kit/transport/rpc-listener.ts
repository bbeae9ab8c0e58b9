import { setMaxListeners } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError } from '@connectrpc/connect';
import type { ConnectRouter, Interceptor } from '@connectrpc/connect';
import { ConnectionTracker } from './connection-tracker.js';
import { MemoryGuard } from './memory-guard.js';
import type { MemoryGuardLimits, MemoryGuardStats, RefusalReason } from './memory-guard.js';
import { sniffProtocol } from './protocol-sniffer.js';
import { createRpcRequestHandler } from './request-handler.js';
import type { ErrorDecorator } from './protocol-error-details.js';
import type {
  HeaderAuthorizer,
  HttpRequest,
  HttpResponse,
  HttpRouteHandler,
  RpcTransportLogger,
} from './request-handler.js';
import { answerWithoutBody, cutRequest, http2StreamOf } from './rpc-refusal.js';
import type { CorsPolicy } from './cors-policy.js';

/** How long close() waits for in-flight requests by default: 10 s. */
export const DEFAULT_CLOSE_GRACE_MS = 10_000;

/** How long a new connection may stay silent before it is dropped: 10 s. */
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 10_000;

/** HTTP/2 streams per connection unless told otherwise: 100, what Node's client assumes before SETTINGS. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 100;

/** Memory limits unless told otherwise (the README's `server.*` defaults). */
export const DEFAULT_MEMORY_LIMITS: MemoryGuardLimits = {
  maxBufferedRequestBytes: 32 * 1024 * 1024,
  maxBufferedRequestBytesPerConnection: 4 * 1024 * 1024,
  requestBodyTimeoutMs: 10_000,
  maxUnsentResponseBytes: 16 * 1024 * 1024,
  responseTimeoutMs: 30_000,
};

/** An HTTP/2 connection without streams is closed after this long unless told otherwise: 30 s. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Options of startRpcListener. */
export interface RpcListenerOptions {
  /** Interface to bind, e.g. 127.0.0.1 or 0.0.0.0. */
  host: string;
  /** TCP port; 0 picks a free one (read it back from RpcListener.port). */
  port: number;
  /** Registers the connect services (gRPC, gRPC-Web and Connect are all served). */
  routes: (router: ConnectRouter) => void;
  /** Connect interceptors applied to every RPC. */
  interceptors?: Interceptor[];
  /** Plain HTTP endpoints matched by exact path before the RPC router, on HTTP/1.1 and HTTP/2. */
  httpRoutes?: Record<string, HttpRouteHandler>;
  /** Largest request message in bytes; bigger ones fail with ResourceExhausted. Default 1 MiB. */
  readMaxBytes?: number;
  /** Silent connections are dropped after this long. Default DEFAULT_FIRST_BYTE_TIMEOUT_MS. */
  firstByteTimeoutMs?: number;
  /** HTTP/2 streams a client may have open per connection (SETTINGS_MAX_CONCURRENT_STREAMS). Default 100. */
  maxConcurrentStreams?: number;
  /** Accept (and drop) unknown JSON fields and enum names. Default false: InvalidArgument naming them. */
  ignoreUnknownJsonFields?: boolean;
  /** Supplies details for errors connect raises before any handler runs (decode, size). */
  decorateError?: ErrorDecorator;
  /** Memory one HTTP/2 session may use, in MB (Node's maxSessionMemory). Default 10. */
  http2MaxSessionMemoryMb?: number;
  /** Request-body and unsent-response budgets and deadlines. Default DEFAULT_MEMORY_LIMITS. */
  memoryLimits?: Partial<MemoryGuardLimits>;
  /** An HTTP/2 connection with no open stream is closed after this long. Default 30 s. */
  idleTimeoutMs?: number;
  /** Checked from path and headers before any body byte is read (authentication). */
  authorize?: HeaderAuthorizer;
  /** Checks the registered routes; a throw stops startRpcListener (e.g. a method without a scope). */
  verifyRoutes?: (router: ConnectRouter) => void;
  /** The error an HTTP/1.1 caller gets when the memory guard refuses its request. */
  refusalError?: (reason: RefusalReason) => ConnectError;
  /** CORS for browser callers (see createCorsPolicy); unset: no CORS headers, preflights get 405 from connect. */
  cors?: CorsPolicy;
  logger?: RpcTransportLogger;
}

/** A running listener serving HTTP/2 cleartext and HTTP/1.1 on one port. */
export interface RpcListener {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** The bound address, e.g. 127.0.0.1. */
  readonly address: string;
  /** Bytes the memory guard holds now and what it has refused. */
  stats(): MemoryGuardStats;
  /**
   * Stops accepting, lets in-flight requests finish for up to graceMs (default 10 s), then aborts the
   * handlers' shutdown signal and destroys what is left. Idempotent.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Starts one TCP listener that routes each connection to an HTTP/2 or an HTTP/1.1 server by its first bytes. */
export async function startRpcListener(options: RpcListenerOptions): Promise<RpcListener> {
  const shutdown = new AbortController();
  // Every call in flight links its context signal to this one: hundreds of listeners are normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const logger = options.logger;
  const limits = { ...DEFAULT_MEMORY_LIMITS, ...options.memoryLimits };
  const refusalError = options.refusalError ?? defaultRefusalError;
  const guard = new MemoryGuard(limits, (req, res, reason) => refuse(req, res, reason, refusalError));
  const handle = createRpcRequestHandler({ ...options, guard, shutdownSignal: shutdown.signal });
  const connections = new ConnectionTracker(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);

  // Node 20 ignores allowHTTP1 on a cleartext http2 server, hence two servers that never listen themselves.
  const h1 = http.createServer(
    {
      // Slow headers are cut by Node's own checker; slow bodies by the memory guard's deadline.
      headersTimeout: limits.requestBodyTimeoutMs,
      requestTimeout: limits.requestBodyTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.requestBodyTimeoutMs),
    },
    (req, res) => connections.trackHttp1(req, res, handle),
  );
  // A stream cap makes grpc-js, Go and Java clients queue calls at their end instead of pushing
  // thousands at an overloaded api (whose memory grows with them). nghttp2 answers streams beyond it
  // with REFUSED_STREAM, which every client may retry safely.
  const h2 = http2.createServer(
    {
      settings: { maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS },
      maxSessionMemory: options.http2MaxSessionMemoryMb ?? 10,
    },
    (req, res) => handle(req, res),
  );
  h2.on('session', (session) => connections.trackSession(session));
  // A server that never listens never starts the checker behind headersTimeout and requestTimeout.
  h1.emit('listening');

  const firstByteTimeoutMs = options.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS;
  const server = net.createServer((socket) => {
    connections.trackSocket(socket);
    // Kept for the socket's whole life: an error between sniffing and hand-over must not crash the process.
    socket.on('error', (error) => logger?.debug({ err: error }, 'rpc socket error'));
    sniffProtocol(socket, firstByteTimeoutMs).then(
      (protocol) => {
        if (socket.destroyed) return;
        connections.markProtocol(socket, protocol);
        (protocol === 'http2' ? h2 : h1).emit('connection', socket);
        socket.resume();
      },
      (error: unknown) => {
        logger?.debug({ err: error }, 'rpc connection dropped before its first request');
        socket.destroy();
      },
    );
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    h1.close();
    throw error;
  }
  // After bind, errors are per connection (EMFILE on accept, …): worth a log line, not a crash.
  server.on('error', (error) => logger?.warn({ err: error }, 'rpc listener error'));
  const bound = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  const close = async (graceMs: number): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    await connections.drain(graceMs);
    // Handlers still running (long streams such as Health/Watch) see ctx.signal abort with Unavailable.
    shutdown.abort(new ConnectError('server is shutting down', Code.Unavailable));
    connections.destroyAll();
    h1.close();
    await stopped;
  };

  return {
    port: bound.port,
    address: bound.address,
    stats: () => guard.stats(),
    close(closeOptions) {
      closed ??= close(closeOptions?.graceMs ?? DEFAULT_CLOSE_GRACE_MS);
      return closed;
    },
  };
}

function defaultRefusalError(reason: RefusalReason): ConnectError {
  return reason === 'request_timeout'
    ? new ConnectError('request body not received in time', Code.DeadlineExceeded)
    : new ConnectError('too many request bytes buffered; retry later', Code.ResourceExhausted);
}

/**
 * Stops what the memory guard refused. HTTP/2: REFUSED_STREAM (nothing was processed, any client may
 * retry) or CANCEL; HTTP/1.1 has no stream to reset, so it gets the error and its connection closes.
 */
function refuse(
  req: HttpRequest,
  res: HttpResponse,
  reason: RefusalReason,
  refusalError: (reason: RefusalReason) => ConnectError,
): void {
  const onHttp2 = http2StreamOf(req) !== undefined;
  if (reason === 'response_budget' || reason === 'response_timeout') {
    cutRequest(req, http2.constants.NGHTTP2_CANCEL);
  } else if (onHttp2) {
    cutRequest(
      req,
      reason === 'request_budget' ? http2.constants.NGHTTP2_REFUSED_STREAM : http2.constants.NGHTTP2_CANCEL,
    );
  } else {
    answerWithoutBody(req, res, refusalError(reason));
  }
}
