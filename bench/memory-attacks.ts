/**
 * `npm run bench:memory`: drives the hostile-client attacks of issue 12 (item 1) one after another at
 * a real `api` process started with the shipped Node flags and default `server.*` limits, samples its
 * peak RSS from /proc during each attack, checks it still answers a Trigger afterwards, and prints a
 * table. MEMORY_SCALE (default 1: the issue's full scale) multiplies every connection count.
 * A script, not a test: it loads the machine for a few minutes.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { NotificationService } from '../src/gen/notify/v1/notification_service_pb.js';
import { loadBenchConfig } from './bench-config.js';
import { launchGateway } from './gateway-launcher.js';
import {
  prefaceOnlyConnections,
  stallHttp1Bodies,
  stallHttp2Streams,
  unreadHttp2Responses,
  type HostileSocket,
} from './hostile-clients.js';
import { RssSampler } from './rss-sampler.js';

const API_KEY = 'bench-memory-key';
const TRIGGER = '/notify.v1.NotificationService/Trigger';
const LIST = '/notify.v1.NotificationService/ListNotifications';
/** Just under the default server.maxRequestBytes (1 MiB), so only the stall makes it hostile. */
const DECLARED_BYTES = 1_040_000;
const SENT_BYTES = 1_000_000;
const PAGE_RECORDS = 300;
const AUTH = { authorization: `Bearer ${API_KEY}` };

interface AttackResult {
  readonly attack: string;
  readonly scale: string;
  readonly peakRssMb: number;
  readonly outcome: string;
  readonly triggerAfter: string;
}

function count(n: number): number {
  const scale = Number(process.env.MEMORY_SCALE ?? '1');
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Resolves once every promise settled or ms passed; returns the settled values (undefined = still open). */
async function settleWithin<T>(promises: readonly Promise<T>[], ms: number): Promise<(T | undefined)[]> {
  const results: (T | undefined)[] = promises.map(() => undefined);
  const all = Promise.all(promises.map((p, i) => p.then((value) => (results[i] = value))));
  await Promise.race([all, sleep(ms)]);
  return results;
}

function tally(values: readonly (string | undefined)[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value ?? 'still open', (counts.get(value ?? 'still open') ?? 0) + 1);
  return [...counts].map(([value, n]) => `${n}× ${value}`).join(', ');
}

function slowest(ms: readonly (number | undefined)[]): string {
  return ms.some((m) => m === undefined)
    ? 'some never closed'
    : `all closed ≤ ${(Math.max(...(ms as number[])) / 1000).toFixed(1)} s`;
}

function http1Status(answer: string | undefined): string | undefined {
  return answer === undefined
    ? undefined
    : (answer.split('\r\n', 1)[0]?.slice(9, 12) ?? '') || 'closed, no answer';
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const target = await launchGateway(config, 1, {
    auth: {
      apiKeys: [
        { name: 'bench', sha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['admin'] },
      ],
    },
  });
  const api = target.children.find((child) => child.name === 'gateway-api');
  if (!api) throw new Error('no api process');
  const baseUrl = `http://${target.address}`;
  const port = Number(target.address.split(':')[1]);
  const client = createClient(
    NotificationService,
    createGrpcTransport({
      baseUrl,
      interceptors: [(next) => (req) => (req.header.set('authorization', AUTH.authorization), next(req))],
    }),
  );
  let triggers = 0;
  const triggerWorks = async (): Promise<string> => {
    const started = Date.now();
    try {
      await client.trigger({
        userId: 'bench-mem',
        triggerId: `after-${triggers++}`,
        message: { text: 'hi' },
        channels: ['mock'],
      });
      return `ok (${Date.now() - started} ms)`;
    } catch (error) {
      return `FAILED: ${String(error)}`;
    }
  };
  const results: AttackResult[] = [];
  const only = process.env.MEMORY_ATTACKS?.split(',').map((id) => id.trim());
  const measure = async (
    id: string,
    attack: string,
    scale: string,
    run: () => Promise<string>,
  ): Promise<void> => {
    if (only && !only.includes(id)) return;
    await sleep(2000); // let the previous attack's garbage go
    const sampler = new RssSampler({ api: api.pid });
    sampler.start(100);
    const outcome = await run();
    const peak = sampler.stop().api?.peakMb ?? 0;
    results.push({ attack, scale, peakRssMb: Math.round(peak), outcome, triggerAfter: await triggerWorks() });
    console.error(`${attack}: peak ${Math.round(peak)} MB; ${outcome}`);
  };
  const closeAll = (sockets: readonly HostileSocket[]) => sockets.forEach((s) => s.socket.destroy());

  try {
    // A page of ~1.2 MB for the last attack: 300 records of 4,000 characters.
    const text = 'p'.repeat(4000);
    for (let batch = 0; batch < PAGE_RECORDS / 50; batch++)
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          client.trigger({
            userId: 'bench-pages',
            triggerId: `page-${batch}-${i}`,
            message: { text },
            channels: ['mock'],
          }),
        ),
      );
    const idle = await triggerWorks();
    const sampler = new RssSampler({ api: api.pid });
    sampler.start(100);
    await sleep(1000);
    results.push({
      attack: 'idle (after setup)',
      scale: '-',
      peakRssMb: Math.round(sampler.stop().api?.peakMb ?? 0),
      outcome: '-',
      triggerAfter: idle,
    });

    const n1 = count(2000);
    await measure('http1-bodies', 'stalled ~1 MB HTTP/1.1 bodies', `${n1} connections`, async () => {
      const sockets = await stallHttp1Bodies({
        port,
        count: n1,
        path: TRIGGER,
        sentBytes: SENT_BYTES,
        declaredBytes: DECLARED_BYTES,
        headers: AUTH,
      });
      const answers = await settleWithin(
        sockets.map((s) => s.answer),
        60_000,
      );
      const closed = await settleWithin(
        sockets.map((s) => s.closedAfterMs),
        1,
      );
      closeAll(sockets);
      return `HTTP ${tally(answers.map(http1Status))}; ${slowest(closed)}`;
    });

    const n2 = count(2000);
    await measure(
      'http2-streams',
      'stalled ~1 MB streams, one HTTP/2 connection',
      `${n2} streams`,
      async () => {
        const { session, ends } = stallHttp2Streams({
          baseUrl,
          streams: n2,
          path: TRIGGER,
          sentBytes: SENT_BYTES,
          declaredBytes: DECLARED_BYTES,
          headers: AUTH,
        });
        const settled = await settleWithin(ends, 60_000);
        session.destroy();
        const names: Record<number, string> = {
          0: 'answered',
          2: 'INTERNAL_ERROR',
          7: 'REFUSED_STREAM',
          8: 'CANCEL',
          11: 'ENHANCE_YOUR_CALM',
        };
        return `streams ${tally(settled.map((end) => end && (names[end.rstCode] ?? `rst ${end.rstCode}`)))}`;
      },
    );

    const n3 = count(300);
    await measure('keyless-bodies', '~1 MB bodies without an API key', `${n3} connections`, async () => {
      const sockets = await stallHttp1Bodies({
        port,
        count: n3,
        path: TRIGGER,
        sentBytes: SENT_BYTES,
        declaredBytes: DECLARED_BYTES,
      });
      const answered = await settleWithin(
        sockets.map((s) => s.answeredAfterMs),
        30_000,
      );
      const answers = await settleWithin(
        sockets.map((s) => s.answer),
        5_000,
      );
      closeAll(sockets);
      return `HTTP ${tally(answers.map(http1Status))}; answered ≤ ${(Math.max(...answered.map((ms) => ms ?? Infinity)) / 1000).toFixed(1)} s`;
    });

    const n4 = count(3000);
    await measure('preface-only', 'HTTP/2 preface only, then silence', `${n4} connections`, async () => {
      const sockets = await prefaceOnlyConnections(port, n4);
      const closed = await settleWithin(
        sockets.map((s) => s.closedAfterMs),
        45_000,
      );
      closeAll(sockets);
      return slowest(closed);
    });

    const n5 = count(300);
    await measure(
      'unread-pages',
      'unread ~1.2 MB ListNotifications pages (HTTP/2)',
      `${n5} connections`,
      async () => {
        const streams = await unreadHttp2Responses({
          baseUrl,
          count: n5,
          path: LIST,
          json: JSON.stringify({ user_id: 'bench-pages', page_size: PAGE_RECORDS }),
          headers: AUTH,
        });
        const closed = await settleWithin(
          streams.map((s) => s.closedAfterMs),
          90_000,
        );
        for (const stream of streams) stream.session.destroy();
        return `server cut the stalled readers: ${slowest(closed)}`;
      },
    );
  } finally {
    await target.stop();
  }

  const scaleNote = process.env.MEMORY_SCALE
    ? ` (MEMORY_SCALE=${process.env.MEMORY_SCALE})`
    : ' (full scale)';
  console.log(
    `\nnotify-gateway api under hostile clients${scaleNote}; shipped flags, default server.* limits\n`,
  );
  const header = ['attack', 'scale', 'peak RSS MB', 'Trigger after', 'what the api did'];
  const rows = results.map((r) => [r.attack, r.scale, String(r.peakRssMb), r.triggerAfter, r.outcome]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  const worst = Math.max(...results.map((r) => r.peakRssMb));
  const allServed = results.every((r) => r.triggerAfter.startsWith('ok'));
  console.log(`\nworst peak ${worst} MB (bound 400 MB): ${worst < 400 && allServed ? 'PASS' : 'FAIL'}`);
  if (worst >= 400 || !allServed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
