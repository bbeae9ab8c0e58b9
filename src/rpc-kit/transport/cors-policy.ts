import { cors } from '@connectrpc/connect';
import type { HttpRequest, HttpResponse } from './request-handler.js';

/** How long a browser may cache a preflight answer: 2 h (Chromium's cap). */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/** Headers a browser caller of this gateway sends beyond the protocols' own. */
const APPLICATION_HEADERS = ['Authorization', 'Traceparent', 'Tracestate'];

/** Options of {@link createCorsPolicy}. */
export interface CorsOptions {
  /** Exact origins (`https://app.example.com`) allowed to call from a browser; `*` allows any. */
  readonly allowedOrigins: readonly string[];
}

/**
 * Handles CORS for Connect, gRPC-Web and the plain HTTP routes: returns true when it answered the
 * request itself (a preflight), false when the request goes on (with CORS headers when its origin
 * is allowed). The header lists are connect's own `cors` constants, so every header the protocols
 * use (Connect-Protocol-Version, X-Grpc-Web, Grpc-Status, …) is covered without restating them.
 */
export type CorsPolicy = (req: HttpRequest, res: HttpResponse) => boolean;

/** A policy over allowed origins; with none configured it answers nothing and adds nothing. */
export function createCorsPolicy(options: CorsOptions): CorsPolicy | undefined {
  if (options.allowedOrigins.length === 0) return undefined;
  const anyOrigin = options.allowedOrigins.includes('*');
  const origins = new Set(options.allowedOrigins.map((origin) => origin.toLowerCase()));
  const allowMethods = cors.allowedMethods.join(', ');
  const allowHeaders = [...cors.allowedHeaders, ...APPLICATION_HEADERS].join(', ');
  const exposeHeaders = cors.exposedHeaders.join(', ');
  return (req, res) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return false;
    const allowed = anyOrigin || origins.has(origin.toLowerCase());
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!allowed) {
      if (!preflight) return false; // no CORS headers: the browser withholds the answer from the page
      res.writeHead(403, { 'content-type': 'text/plain', vary: 'Origin' });
      res.end('origin not allowed\n');
      return true;
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    if (!preflight) {
      res.setHeader('access-control-expose-headers', exposeHeaders);
      return false;
    }
    res.writeHead(204, {
      'access-control-allow-methods': allowMethods,
      'access-control-allow-headers': allowHeaders,
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    });
    res.end();
    return true;
  };
}
