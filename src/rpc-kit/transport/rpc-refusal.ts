import http2 from 'node:http2';
import type { Http2ServerRequest } from 'node:http2';
import type { ConnectError } from '@connectrpc/connect';
import { encodeEnvelope } from '@connectrpc/connect/protocol';
import {
  codeToHttpStatus,
  endStreamFlag,
  errorToJson,
  errorToJsonBytes,
} from '@connectrpc/connect/protocol-connect';
import { setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import type { HttpRequest, HttpResponse } from './request-handler.js';

/** How long an HTTP/1.1 connection stays half-closed after a refusal, so its answer reaches the client: 1 s. */
const LINGER_MS = 1000;

/** The HTTP/2 stream of a request, or undefined on HTTP/1.1. */
export function http2StreamOf(req: HttpRequest): http2.ServerHttp2Stream | undefined {
  return (req as Partial<Http2ServerRequest>).stream;
}

/**
 * Answers a request with error in its own protocol (gRPC, gRPC-Web, Connect unary or streaming)
 * without reading its body, then stops the body: RST_STREAM(NO_ERROR) on HTTP/2 (RFC 9113 §8.1),
 * `connection: close` on HTTP/1.1, where unread body bytes would otherwise be read to reuse the socket.
 */
export function answerWithoutBody(req: HttpRequest, res: HttpResponse, error: ConnectError): void {
  const stream = http2StreamOf(req);
  if (res.headersSent || stream?.destroyed === true) {
    cutRequest(req, http2.constants.NGHTTP2_CANCEL);
    return;
  }
  const contentType = String(req.headers['content-type'] ?? '');
  const headers = new Headers();
  let status = 200;
  let body: Uint8Array | undefined;
  if (/^application\/grpc(-web)?([+;]|$)/i.test(contentType)) {
    // A trailers-only answer: the status rides in the one HEADERS frame.
    headers.set('content-type', contentType);
    setTrailerStatus(headers, error);
  } else if (/^application\/connect\+/i.test(contentType)) {
    headers.set('content-type', contentType);
    const endStream = new TextEncoder().encode(JSON.stringify({ error: errorToJson(error, undefined) }));
    body = encodeEnvelope(endStreamFlag, endStream);
  } else {
    status = codeToHttpStatus(error.code);
    headers.set('content-type', 'application/json');
    body = errorToJsonBytes(error, undefined);
  }
  if (stream === undefined) headers.set('connection', 'close');
  const head: Record<string, string> = {};
  headers.forEach((value, name) => (head[name] = value));
  res.writeHead(status, head);
  res.end(body ?? '', () => {
    if (stream !== undefined) {
      // RFC 9113 §8.1: after a complete response the server may stop the rest of the request with
      // RST_STREAM NO_ERROR. Only after: a reset sent before the response left made connect-node
      // report INTERNAL instead of the refusal.
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
      return;
    }
    // A lingering close: destroying a socket with unread bytes sends RST, which makes the client's
    // kernel drop the answer it has not read yet. FIN first, and cut it a moment later regardless.
    req.socket.end();
    setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  });
}

/** Stops a request at once: its HTTP/2 stream is reset with rstCode, its HTTP/1.1 socket destroyed. */
export function cutRequest(req: HttpRequest, rstCode: number): void {
  const stream = http2StreamOf(req);
  if (stream === undefined) req.socket.destroy();
  else if (!stream.destroyed) stream.close(rstCode);
}
