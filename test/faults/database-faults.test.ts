import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingSink, type CountingSink } from '../helpers/counting-sink.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { TEST_MYSQL_ROOT_URL } from '../helpers/test-env.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import {
  driveTriggers,
  expectAccounted,
  expectDuplicatesFlagged,
  retryRejected,
  settleAndAccount,
} from './helpers/accounting.js';
import { startFaultStack, type FaultStack } from './helpers/fault-stack.js';

let sink: CountingSink;
let proxy: TcpProxy;
let stack: FaultStack;

beforeAll(async () => {
  sink = await startCountingSink();
  const real = new URL(TEST_MYSQL_ROOT_URL);
  proxy = await startTcpProxy(real.hostname, Number(real.port || 3306));
  stack = await startFaultStack({
    channels: [{ id: 'mock', plugin: 'mock', config: { sinkUrl: sink.url, idempotent: false } }],
    // Only the gateway goes through our proxy; the real MariaDB is never touched.
    env: (database) => {
      const url = new URL(database.url);
      url.host = `127.0.0.1:${proxy.port}`;
      return { NOTIFY_DATABASE_URL: url.toString() };
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
  await sink?.close();
});

/** When the mock built each delivery (just before it reached the provider), in ms. */
function deliveryTimes(): number[] {
  return sink.received.map((delivery) =>
    Date.parse((delivery as unknown as { receivedAt: string }).receivedAt),
  );
}

describe('database unreachable (our TCP proxy cut)', () => {
  it('Trigger answers UNAVAILABLE, never OK without a commit; the worker sends nothing; all recover', async () => {
    const concurrency = 2;
    const driving = driveTriggers(stack.client, {
      count: 200,
      channel: 'mock',
      intervalMs: 100,
      concurrency,
    });
    await waitFor(() => sink.received.length >= 10, 'deliveries under way', 20_000);
    await proxy.down();
    const cutAt = Date.now();
    await sleep(6000);
    const readyWhileDown = await fetch(`${stack.url}/readyz`);
    await proxy.up();
    const restoredAt = Date.now();
    const firstTry = await driving;
    // A caller repeats an UNAVAILABLE trigger with the same key. Only an INSERT in flight when the
    // cut came can have committed behind an UNAVAILABLE answer (its acknowledgement died with the
    // connection), so at most one per lane; the repeat finds that record instead of storing another.
    const drive = await retryRejected(stack.client, firstTry, { channel: 'mock' });
    const committedBehindError = drive.answers.filter(
      (answer, i) => firstTry.answers[i]!.error !== undefined && answer.deduplicated,
    );
    console.log(
      `first try: ${firstTry.answers.filter((answer) => answer.error).length} UNAVAILABLE, ` +
        `${committedBehindError.length} of them committed behind the error`,
    );
    expect(committedBehindError.length).toBeLessThanOrEqual(concurrency);
    expect(drive.answers.filter((answer) => answer.error)).toEqual([]);
    const account = await settleAndAccount({
      scenario: '4 database cut',
      databaseUrl: stack.database.url,
      drive,
      received: () => sink.received,
      deadlineMs: 60_000,
    });
    expect(readyWhileDown.status).toBe(503);
    const rejected = firstTry.answers.filter((answer) => answer.error !== undefined);
    expect(rejected.length).toBeGreaterThan(0);
    expect(new Set(rejected.map((answer) => answer.error))).toEqual(new Set(['Unavailable']));
    // A send claimed just before the cut may still reach the provider; nothing starts later.
    expect(deliveryTimes().filter((at) => at > cutAt + 1000 && at < restoredAt)).toEqual([]);
    // The API is back as soon as the database is: the last triggers were all accepted.
    expect(firstTry.answers.slice(-10).filter((answer) => answer.error)).toEqual([]);
    // A send that reached the (non-idempotent) provider just before the cut cannot be recorded
    // until the database returns. The cut (6 s) outlasts the lease (4 s), but the scanner waits
    // scanner.leaseRecoveryGraceMs (10 s) past expiry, so the live worker, which keeps retrying,
    // records the provider's answer first: no resend, no duplicate.
    // After the repeats every trigger is accepted and delivered exactly once.
    expectAccounted(account, 0);
    expectDuplicatesFlagged(account, drive);
    expect(account.accepted).toBe(200);
    expect(account.byStatus).toEqual({ sent: account.accepted });
  });
});
