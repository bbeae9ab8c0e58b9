import { setMaxListeners } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError } from '@connectrpc/connect';
import type { ConnectRouter, Interceptor } from '@connectrpc/connect';
import { ConnectionTracker } from './connection-tracker.js';
import { sniffProtocol } from './protocol-sniffer.js';
import { createRpcRequestHandler } from './request-handler.js';
import type { HttpRouteHandler, RpcTransportLogger } from './request-handler.js';

/** How long close() waits for in-flight requests by default: 10 s. */
export const DEFAULT_CLOSE_GRACE_MS = 10_000;

/** How long a new connection may stay silent before it is dropped: 10 s. */
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 10_000;

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
  /** HTTP/2 streams a client may have open per connection (SETTINGS_MAX_CONCURRENT_STREAMS). Default: no cap. */
  maxConcurrentStreams?: number;
  logger?: RpcTransportLogger;
}

/** A running listener serving HTTP/2 cleartext and HTTP/1.1 on one port. */
export interface RpcListener {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** The bound address, e.g. 127.0.0.1. */
  readonly address: string;
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
  const handle = createRpcRequestHandler({ ...options, shutdownSignal: shutdown.signal });
  const connections = new ConnectionTracker();

  // Node 20 ignores allowHTTP1 on a cleartext http2 server, hence two servers that never listen themselves.
  const h1 = http.createServer((req, res) => connections.trackHttp1(req, res, handle));
  // A stream cap makes grpc-js, Go and Java clients queue calls at their end instead of pushing
  // thousands at an overloaded api (whose memory grows with them); Node's own http2 client does not
  // queue, hence opt-in.
  const settings = options.maxConcurrentStreams ? { maxConcurrentStreams: options.maxConcurrentStreams } : {};
  const h2 = http2.createServer({ settings }, (req, res) => handle(req, res));
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
    close(closeOptions) {
      closed ??= close(closeOptions?.graceMs ?? DEFAULT_CLOSE_GRACE_MS);
      return closed;
    },
  };
}
