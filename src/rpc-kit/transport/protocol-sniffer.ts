import type { Socket } from 'node:net';

/** The client connection preface every HTTP/2 prior-knowledge connection starts with (RFC 9113 §3.4). */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** "PRI " is reserved as an HTTP/1 method exactly so that these bytes can tell the two apart. */
const DECISIVE_PREFIX_BYTES = 4;

/** Which server a freshly accepted socket belongs to. */
export type SniffedProtocol = 'http2' | 'http1';

/** Classifies the bytes seen so far: a protocol, or undefined when more bytes are needed. */
export function classifyPreface(head: Buffer): SniffedProtocol | undefined {
  const length = Math.min(head.length, DECISIVE_PREFIX_BYTES);
  if (!head.subarray(0, length).equals(HTTP2_PREFACE.subarray(0, length))) return 'http1';
  return head.length >= DECISIVE_PREFIX_BYTES ? 'http2' : undefined;
}

/**
 * Reads the first bytes of a socket, puts them back and reports the protocol; rejects when the socket
 * ends, errors or stays silent for timeoutMs first. The socket is left paused for the next owner.
 */
export function sniffProtocol(socket: Socket, timeoutMs: number): Promise<SniffedProtocol> {
  return new Promise((resolve, reject) => {
    let head: Buffer = Buffer.alloc(0);
    const cleanUp = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onEnd);
    };
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const protocol = classifyPreface(head);
      if (protocol === undefined) return;
      cleanUp();
      // Paused before unshift so no byte is emitted before the real server has attached its readers.
      socket.pause();
      socket.unshift(head);
      resolve(protocol);
    };
    const onEnd = (): void => {
      cleanUp();
      reject(new Error('connection closed before the first request'));
    };
    const onError = (error: Error): void => {
      cleanUp();
      reject(error);
    };
    const timer = setTimeout(() => {
      cleanUp();
      reject(new Error(`no bytes received within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
  });
}
