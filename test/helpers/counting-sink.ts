import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the mock channel POSTs to its `sinkUrl` (a MockDelivery as JSON). */
export interface SinkDelivery {
  readonly notificationId: string;
  readonly idempotencyKey: string;
  readonly userId: string;
  readonly attemptNo: number;
}

/**
 * An HTTP server standing in for a provider across processes: it records every delivery the mock
 * channel POSTs, and counts distinct idempotency keys the way Feishu dedupes on `uuid`.
 */
export interface CountingSink {
  /** `http://127.0.0.1:<port>/deliveries`, for the mock channel's `sinkUrl`. */
  readonly url: string;
  /** Every POST received, duplicates included. */
  readonly received: SinkDelivery[];
  /** Distinct idempotency keys: what the user would see from an idempotent provider. */
  uniqueCount(): number;
  /** Hold the answer of the next `count` requests for `ms` (received first, answered late). */
  holdNext(count: number, ms: number): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a counting sink on an ephemeral loopback port. */
export async function startCountingSink(): Promise<CountingSink> {
  const received: SinkDelivery[] = [];
  let holds: { count: number; ms: number } = { count: 0, ms: 0 };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      received.push(JSON.parse(body) as SinkDelivery);
      const delay = holds.count > 0 ? holds.ms : 0;
      if (holds.count > 0) holds = { count: holds.count - 1, ms: holds.ms };
      const timer = setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      }, delay);
      response.once('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/deliveries`,
    received,
    uniqueCount: () => new Set(received.map((delivery) => delivery.idempotencyKey)).size,
    holdNext(count, ms) {
      holds = { count, ms };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
