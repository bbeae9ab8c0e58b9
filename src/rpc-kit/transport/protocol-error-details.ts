import { Code, ConnectError } from '@connectrpc/connect';
import {
  createAsyncIterable,
  encodeEnvelope,
  type UniversalServerResponse,
} from '@connectrpc/connect/protocol';
import { errorFromJsonBytes, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import { findTrailerError, setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { trailerFlag, trailerParse, trailerSerialize } from '@connectrpc/connect/protocol-grpc-web';

/*
 * Errors connect raises itself, before any handler or interceptor runs (a request body that does
 * not decode, one larger than readMaxBytes, a bad timeout header), reach the caller with no error
 * details, unlike every error a handler throws. This rewrites such an error response on its way
 * out, in each protocol's own encoding, with the details a decorator supplies. The protocol helpers
 * are connect's private exports: package.json pins @connectrpc/connect exactly, as connect asks.
 */

/** Returns the error to send instead of one that carries no details, or undefined to keep it. */
export type ErrorDecorator = (error: ConnectError) => ConnectError | undefined;

/** The decorated error, when `error` has no details and the decorator has some to add. */
function decorated(error: ConnectError | undefined, decorate: ErrorDecorator): ConnectError | undefined {
  return error && error.details.length === 0 ? decorate(error) : undefined;
}

/** gRPC-Web: the status is the body's last envelope (flag 0x80, HTTP/1-style header lines). */
async function* grpcWebBody(
  body: AsyncIterable<Uint8Array>,
  decorate: ErrorDecorator,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    // connect yields one whole envelope per chunk; a compressed trailer (flag 0x81) is left alone.
    if (chunk[0] !== trailerFlag || chunk.length < 5) {
      yield chunk;
      continue;
    }
    const trailer = trailerParse(chunk.subarray(5));
    const replacement = decorated(findTrailerError(trailer), decorate);
    if (!replacement) {
      yield chunk;
      continue;
    }
    setTrailerStatus(trailer, replacement);
    yield encodeEnvelope(trailerFlag, trailerSerialize(trailer));
  }
}

const UNREADABLE = new ConnectError('unreadable error body', Code.Unknown);

/** Connect unary: a non-200 answer whose JSON body is the error. */
async function connectUnary(
  response: UniversalServerResponse,
  body: AsyncIterable<Uint8Array>,
  decorate: ErrorDecorator,
): Promise<UniversalServerResponse> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  let replacement: ConnectError | undefined;
  try {
    replacement = decorated(errorFromJsonBytes(bytes, undefined, UNREADABLE), decorate);
  } catch {
    // Not a Connect error body after all: send it as it was.
    replacement = undefined;
  }
  const out = replacement ? errorToJsonBytes(replacement, {}) : bytes;
  const header = new Headers(response.header);
  if (header.has('content-length')) header.set('content-length', String(out.byteLength));
  return {
    ...response,
    header,
    body: createAsyncIterable([out]),
  };
}

/**
 * The response with its error, if it is one without details, replaced by `decorate(error)`: for
 * gRPC, gRPC-Web and Connect unary. Success responses and streaming Connect answers pass unchanged;
 * on gRPC only an error raised before the first message is seen (mid-stream ones keep theirs).
 */
export async function withErrorDetails(
  response: UniversalServerResponse,
  decorate: ErrorDecorator,
): Promise<UniversalServerResponse> {
  const type = response.header?.get('content-type') ?? '';
  const body = response.body;
  if (type.startsWith('application/grpc-web')) {
    return body ? { ...response, body: grpcWebBody(body, decorate) } : response;
  }
  if (type.startsWith('application/grpc')) {
    // connect answers once the body's first bytes exist, so an error raised before any message
    // (decode, size) is already in the trailer; a success answer passes untouched, body and all.
    const trailer = response.trailer;
    const replacement = trailer && decorated(findTrailerError(trailer), decorate);
    if (trailer && replacement) setTrailerStatus(trailer, replacement);
    return response;
  }
  if (response.status !== 200 && type.startsWith('application/json') && body) {
    return connectUnary(response, body, decorate);
  }
  return response;
}
