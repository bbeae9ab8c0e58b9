import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { ConnectError, ConnectRouter, Interceptor } from '@connectrpc/connect';
import { createConnectNodeHandler } from './connect-node-handler.js';
import type { MemoryGuard } from './memory-guard.js';
import type { ErrorDecorator } from './protocol-error-details.js';
import { answerWithoutBody } from './rpc-refusal.js';
import type { CorsPolicy } from './cors-policy.js';

/** Largest request message connect accepts before answering ResourceExhausted: 1 MiB. */
export const DEFAULT_RPC_READ_MAX_BYTES = 1024 * 1024;

/** A request as either server hands it over (HTTP/1.1 or HTTP/2 compatibility API). */
export type HttpRequest = IncomingMessage | Http2ServerRequest;

/** A response as either server hands it over (HTTP/1.1 or HTTP/2 compatibility API). */
export type HttpResponse = ServerResponse | Http2ServerResponse;

/**
 * A plain HTTP endpoint (/healthz, /metrics, …) served next to the RPCs; a rejection becomes a 500.
 * A key ending in `/*` serves every path under it (`/console/*`: /console/ and below).
 */
export type HttpRouteHandler = (req: HttpRequest, res: HttpResponse) => void | Promise<void>;

/** The pino-compatible subset of a logger the transport writes to. */
export interface RpcTransportLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/**
 * Decides from the path (`/package.Service/Method`) and headers alone whether a call may proceed,
 * before one byte of its body is read: undefined to proceed, else the error to answer.
 */
export type HeaderAuthorizer = (
  path: string,
  headers: IncomingMessage['headers'],
) => ConnectError | undefined;

/** What the shared request handler needs; the listener fills shutdownSignal and guard. */
export interface RpcRequestHandlerOptions {
  routes: (router: ConnectRouter) => void;
  interceptors?: Interceptor[] | undefined;
  httpRoutes?: Record<string, HttpRouteHandler> | undefined;
  readMaxBytes?: number | undefined;
  /** Checked before a body is read; also applies to httpRoutes. */
  authorize?: HeaderAuthorizer | undefined;
  /** Called with the router once routes have registered; a throw stops the listener from starting. */
  verifyRoutes?: ((router: ConnectRouter) => void) | undefined;
  /** Bounds buffered request bodies and unsent responses. */
  guard?: MemoryGuard | undefined;
  /** Answers preflights and adds CORS headers for allowed browser origins (unset: no CORS). */
  cors?: CorsPolicy | undefined;
  shutdownSignal?: AbortSignal | undefined;
  logger?: RpcTransportLogger | undefined;
  /** Accept (and drop) JSON fields and enum names the schema does not know. Default false: InvalidArgument. */
  ignoreUnknownJsonFields?: boolean | undefined;
  /** Supplies details for errors connect raises before any handler runs (decode, size). */
  decorateError?: ErrorDecorator | undefined;
}

/** One request listener for both the HTTP/1.1 and the HTTP/2 server: exact-path httpRoutes first, then connect. */
export function createRpcRequestHandler(
  options: RpcRequestHandlerOptions,
): (req: HttpRequest, res: HttpResponse) => void {
  const rpc = createConnectNodeHandler({
    routes: (router) => {
      options.routes(router);
      options.verifyRoutes?.(router);
    },
    interceptors: options.interceptors ?? [],
    readMaxBytes: options.readMaxBytes ?? DEFAULT_RPC_READ_MAX_BYTES,
    shutdownSignal: options.shutdownSignal,
    // connect ignores unknown JSON fields by default, so a typo such as "critcal" was dropped silently.
    jsonOptions: { ignoreUnknownFields: options.ignoreUnknownJsonFields ?? false },
    decorateError: options.decorateError,
    logger: options.logger,
  });
  // A Map, not the record itself, so that a path such as "/constructor" can never hit Object.prototype.
  const entries = Object.entries(options.httpRoutes ?? {});
  const httpRoutes = new Map(entries.filter(([key]) => !key.endsWith('/*')));
  const prefixRoutes = entries
    .filter(([key]) => key.endsWith('/*'))
    .map(([key, route]) => ({ prefix: key.slice(0, -1), bare: key.slice(0, -2), route }));
  const routeFor = (path: string): HttpRouteHandler | undefined =>
    httpRoutes.get(path) ??
    prefixRoutes.find(({ prefix, bare }) => path === bare || path.startsWith(prefix))?.route;
  const logger = options.logger;
  const { authorize, guard } = options;
  const cors = options.cors;

  return (req, res) => {
    if (cors?.(req, res)) return;
    const path = (req.url ?? '').split('?', 1)[0] ?? '';
    const refusal = authorize?.(path, req.headers);
    if (refusal !== undefined) {
      answerWithoutBody(req, res, refusal);
      return;
    }
    if (guard !== undefined && !guard.admit(req, res)) return;
    const route = routeFor(path);
    if (route === undefined) {
      rpc(req, res);
      return;
    }
    Promise.resolve()
      .then(() => route(req, res))
      .catch((error: unknown) => {
        logger?.warn({ err: error, path }, 'http route failed');
        failResponse(res);
      });
  };
}

function failResponse(res: HttpResponse): void {
  if (res.headersSent) {
    // Too late for a status code: cutting the stream is the only honest signal left.
    res.destroy();
    return;
  }
  res.statusCode = 500;
  res.end();
}
