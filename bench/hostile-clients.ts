import http2 from 'node:http2';
import net from 'node:net';

/**
 * Clients that misbehave on purpose (the attacks of issue 12, item 1), shared by the memory bench
 * and the integration tests. Each keeps its sockets open until `close()`, and reports what the
 * server did to it: the first bytes of its answer, and when the server closed the connection.
 */
export interface HostileSocket {
  readonly socket: net.Socket;
  /** Resolves with everything received until the server closed the socket (or close() was called). */
  readonly answer: Promise<string>;
  /** Resolves with ms since the socket connected, once the server closed it. */
  readonly closedAfterMs: Promise<number>;
  /** Resolves with ms since the socket connected, once the first answer byte arrived. */
  readonly answeredAfterMs: Promise<number>;
}

function connect(
  port: number,
  host: string,
  onConnect: (socket: net.Socket) => void,
): Promise<HostileSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let received = '';
    const opened = Date.now();
    let answered: (ms: number) => void = () => undefined;
    const answeredAfterMs = new Promise<number>((resolve) => (answered = resolve));
    socket.on('data', (chunk: Buffer) => {
      if (received.length === 0) answered(Date.now() - opened);
      if (received.length < 4096) received += chunk.toString('latin1');
    });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      onConnect(socket);
      resolve({
        socket,
        answer: closed.then(() => received),
        closedAfterMs: closed.then(() => Date.now() - opened),
        answeredAfterMs,
      });
    });
    socket.once('error', reject);
  });
}

/** Runs make for count items, at most `parallel` connecting at once. */
async function inBatches<T>(count: number, parallel: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, (_, j) => make(start + j));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

/** What a stalled body looks like on the wire. */
export interface StalledBodyOptions {
  readonly port: number;
  readonly host?: string;
  readonly count: number;
  /** RPC path, e.g. /notify.v1.NotificationService/Trigger */
  readonly path: string;
  /** Bytes sent before stalling. */
  readonly sentBytes: number;
  /** content-length announced (more than sentBytes, so the server waits for the rest). */
  readonly declaredBytes: number;
  readonly headers?: Record<string, string>;
}

/** HTTP/1.1 Connect POSTs that send part of a large body and then stall, one connection each. */
export function stallHttp1Bodies(options: StalledBodyOptions): Promise<HostileSocket[]> {
  const head = [
    `POST ${options.path} HTTP/1.1`,
    `host: ${options.host ?? '127.0.0.1'}`,
    'content-type: application/json',
    `content-length: ${options.declaredBytes}`,
    ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  // A JSON string that never closes: valid so far, so only its size matters.
  const body = Buffer.alloc(options.sentBytes, 'x');
  body.write('{"user_id":"');
  return inBatches(options.count, 100, () =>
    connect(options.port, options.host ?? '127.0.0.1', (socket) => {
      socket.write(head);
      socket.write(body);
    }),
  );
}

/** HTTP/2 connections that send the client preface (and SETTINGS) and then nothing. */
export function prefaceOnlyConnections(
  port: number,
  count: number,
  host = '127.0.0.1',
): Promise<HostileSocket[]> {
  // Preface plus an empty SETTINGS frame: a valid start of a session.
  const preface = Buffer.concat([
    Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
    Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
  ]);
  return inBatches(count, 100, () => connect(port, host, (socket) => socket.write(preface)));
}

/** An HTTP/2 client of unreadHttp2Responses: its session and when the server ended its stream. */
export interface UnreadStream {
  readonly session: http2.ClientHttp2Session;
  /** Resolves with ms since the request, once the server closed or reset the stream. */
  readonly closedAfterMs: Promise<number>;
}

/**
 * gRPC (JSON codec) calls, one connection each, whose answers are never read: the stream is paused
 * at once, so after the first flow-control window (64 KiB) the rest of the answer stays with the
 * server. Over HTTP/1.1 the kernel's socket buffers would absorb a 1 MB answer instead.
 */
export async function unreadHttp2Responses(options: {
  readonly baseUrl: string;
  readonly count: number;
  readonly path: string;
  /** The request message as proto JSON. */
  readonly json: string;
  readonly headers?: Record<string, string>;
}): Promise<UnreadStream[]> {
  const message = Buffer.from(options.json);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  const envelope = Buffer.concat([prefix, message]);
  return inBatches(options.count, 100, async () => {
    const session = http2.connect(options.baseUrl);
    session.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    const opened = Date.now();
    const stream = session.request({
      ':method': 'POST',
      ':path': options.path,
      'content-type': 'application/grpc+json',
      te: 'trailers',
      ...options.headers,
    });
    stream.on('error', () => undefined);
    stream.end(envelope);
    stream.pause();
    // The server resetting the stream or closing the session both count as "the server gave up".
    const closedAfterMs = new Promise<number>((resolve) => {
      const done = () => resolve(Date.now() - opened);
      stream.once('close', done);
      stream.once('aborted', done);
      session.once('close', done);
      session.once('goaway', done);
    });
    return { session, closedAfterMs };
  });
}

/** How one stream of stallHttp2Streams ended. */
export interface StreamEnd {
  /** RST_STREAM code (7 REFUSED_STREAM, 8 CANCEL, …), 0 when the stream ended normally. */
  readonly rstCode: number;
  /** :status and grpc-status when the server answered. */
  readonly status?: number;
  readonly grpcStatus?: string;
  readonly afterMs: number;
}

/**
 * Opens `streams` gRPC streams on ONE HTTP/2 connection, each sending sentBytes of a larger message
 * and then stalling. Resolves with the session and each stream's end.
 */
export function stallHttp2Streams(options: {
  readonly baseUrl: string;
  readonly streams: number;
  readonly path: string;
  readonly sentBytes: number;
  readonly declaredBytes: number;
  readonly headers?: Record<string, string>;
}): { session: http2.ClientHttp2Session; ends: Promise<StreamEnd>[] } {
  // Opened before the server's SETTINGS arrive, as an attacker would: nothing holds streams back.
  const session = http2.connect(options.baseUrl, { peerMaxConcurrentStreams: options.streams });
  session.on('error', () => undefined);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(options.declaredBytes, 1);
  const payload = Buffer.concat([prefix, Buffer.alloc(options.sentBytes, 0x0a)]);
  const ends: Promise<StreamEnd>[] = [];
  for (let i = 0; i < options.streams; i++) {
    const opened = Date.now();
    const stream = session.request(
      {
        ':method': 'POST',
        ':path': options.path,
        'content-type': 'application/grpc',
        te: 'trailers',
        ...options.headers,
      },
      { endStream: false },
    );
    let status: number | undefined;
    let grpcStatus: string | undefined;
    // A trailers-only answer (grpc-status in the headers) is final even while our body is unsent: Node
    // keeps a stream whose own side is still writing, although the server has reset it.
    let answered: ((end: StreamEnd) => void) | undefined;
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
      grpcStatus = headers['grpc-status'] as string | undefined;
      if (grpcStatus !== undefined)
        answered?.({ rstCode: 0, status, grpcStatus, afterMs: Date.now() - opened });
    });
    stream.on('trailers', (trailers: http2.IncomingHttpHeaders) => {
      grpcStatus ??= trailers['grpc-status'] as string | undefined;
    });
    stream.on('error', () => undefined);
    stream.resume();
    stream.write(payload);
    ends.push(
      new Promise((resolve) => {
        answered = resolve;
        stream.once('close', () =>
          resolve({ rstCode: stream.rstCode ?? 0, status, grpcStatus, afterMs: Date.now() - opened }),
        );
      }),
    );
  }
  return { session, ends };
}
