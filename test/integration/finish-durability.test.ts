import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../src/core/delivery/message-bus.js';
import { MemoryMessageBus } from '../../src/adapters/memory-bus/memory-bus.js';
import { createChannelRegistry, type ChannelRegistry } from '../../src/core/channels/channel-registry.js';
import type { NotificationRecord } from '../../src/core/notification/notification-record.js';
import { createLeaseRecovery } from '../../src/core/scanner/lease-recovery.js';
import { createLogger } from '../../src/core/shared/logger.js';
import { migrateDatabase, openDatabase, type OpenDatabase } from '../../src/adapters/sql-store/open-store.js';
import {
  attemptParams,
  INSERT_FINISH_ATTEMPT_SQL,
} from '../../src/adapters/sql-store/notification-transition-sql.js';
import { execute } from '../../src/adapters/sql-store/raw-sql.js';
import { mockPlugin } from '../../src/plugins/mock/index.js';
import { attemptFor, finishUpdate, newNotification } from '../helpers/notification-fixtures.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue 12 items 5 and 6, on both stores: a worker killed between storing its attempt row and
// moving the record never causes a resend, and a finish that cannot be written records its
// provider call once however often the worker retries it.
const logger = createLogger('silent');

interface Backend {
  readonly url: string;
  drop(): Promise<void>;
}

const BACKENDS: ReadonlyArray<[string, () => Promise<Backend>]> = [
  ['MariaDB', async () => createTestDatabase()],
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ngw-finish-'));
      return Promise.resolve({
        url: `sqlite:${path.join(dir, 'notify.sqlite')}`,
        drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      });
    },
  ],
];

const ago = (ms: number) => new Date(Date.now() - ms);

describe.each(BACKENDS)('finish durability on %s', (_name, makeBackend) => {
  let backend: Backend;
  let db: OpenDatabase;
  let channels: ChannelRegistry;
  let bus: MemoryMessageBus;
  const published: BusEvent[] = [];

  beforeAll(async () => {
    backend = await makeBackend();
    await migrateDatabase(backend.url, logger);
    db = await openDatabase(backend.url, 4, logger);
    // Not idempotent, like the webhook bot: a resend here would be a duplicate in the group.
    channels = await createChannelRegistry(
      [{ id: 'mock', plugin: 'mock', config: { idempotent: false } }],
      [mockPlugin],
      (channel) => ({ channel, logger, now: () => new Date() }),
    );
    bus = new MemoryMessageBus();
    await bus.start();
    await bus.subscribe(
      'deliver',
      (event) => {
        published.push(event);
        return Promise.resolve();
      },
      { prefetch: 8 },
    );
  });

  afterAll(async () => {
    await bus?.close();
    await channels?.close();
    await db?.close();
    await backend?.drop();
  });

  /** A record claimed 5 s ago by a worker whose lease ran out 3 s ago. */
  async function claimedByDeadWorker(): Promise<NotificationRecord> {
    const { record } = await db.notifications.insertOrFind(
      newNotification({ nextAttemptAt: ago(10_000) }),
      ago(10_000),
    );
    const claimed = await db.notifications.claim(record.id, {
      now: ago(5000),
      leaseOwner: 'killed-worker',
      leaseExpiresAt: ago(3000),
    });
    expect(claimed).not.toBeNull();
    return claimed!;
  }

  /** What a finish writes first: the attempt row, under its compare-and-set on the claim. */
  async function storeAttemptOnly(claimed: NotificationRecord, outcome: 'success' | 'temporary_fail') {
    const attempt = attemptFor(claimed, {
      outcome,
      errorCode: outcome === 'success' ? null : 'provider_5xx',
      errorMessage: outcome === 'success' ? null : 'upstream answered 503',
    });
    await execute(db.dataSource, INSERT_FINISH_ATTEMPT_SQL, [
      ...attemptParams(attempt),
      claimed.id,
      claimed.version,
    ]);
  }

  async function recover(): Promise<void> {
    const duty = createLeaseRecovery(db.maintenance, bus, channels, 'retry', logger);
    await duty.runBatch(100);
  }

  it('a worker killed after storing a success: lease recovery ends the record SENT and nothing is resent', async () => {
    const delivered = await claimedByDeadWorker();
    await storeAttemptOnly(delivered, 'success');
    // Control: a worker killed mid-call, whose outcome is truly unknown, is retried.
    const unknown = await claimedByDeadWorker();
    const before = published.length;

    await recover();

    const sent = await db.notifications.findById(delivered.id);
    expect(sent).toMatchObject({ status: 'sent', lastErrorCode: null, leaseOwner: null, attemptCount: 1 });
    expect(sent?.sentAt).not.toBeNull();
    const attempts = await db.notifications.listAttempts(delivered.id);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['success']);

    expect(await db.notifications.findById(unknown.id)).toMatchObject({
      status: 'failed',
      lastErrorCode: 'lease_expired',
    });
    expect((await db.notifications.listAttempts(unknown.id)).map((attempt) => attempt.outcome)).toEqual([
      'unknown',
    ]);
    await waitFor(() => published.length > before, 'the unknown outcome to be republished');
    const ids = published
      .slice(before)
      .map((event) => (event.kind === 'notification.requested' ? event.notificationId : ''));
    expect(ids).toContain(unknown.id);
    expect(ids).not.toContain(delivered.id);
    // And a worker claiming it anyway (a stale message) finds nothing to claim.
    const now = new Date();
    expect(
      await db.notifications.claim(delivered.id, {
        now,
        leaseOwner: 'w2',
        leaseExpiresAt: new Date(now.getTime() + 60_000),
      }),
    ).toBeNull();
  });

  it('a recorded temporary failure is retried as that failure, with no unknown attempt added', async () => {
    const failed = await claimedByDeadWorker();
    await storeAttemptOnly(failed, 'temporary_fail');
    await recover();
    expect(await db.notifications.findById(failed.id)).toMatchObject({
      status: 'failed',
      lastErrorCode: 'provider_5xx',
    });
    expect((await db.notifications.listAttempts(failed.id)).map((attempt) => attempt.outcome)).toEqual([
      'temporary_fail',
    ]);
  });

  it.each([
    ['batched (the worker passes its claimed record)', true],
    ['lone', false],
  ])(
    'a %s finish that cannot be written stores its attempt once however often it is retried',
    async (_how, batched) => {
      const { record } = await db.notifications.insertOrFind(
        newNotification({ nextAttemptAt: ago(1000) }),
        ago(1000),
      );
      const now = new Date();
      const claimed = (await db.notifications.claim(record.id, {
        now,
        leaseOwner: 'w',
        leaseExpiresAt: new Date(now.getTime() + 60_000),
      }))!;
      const attempt = attemptFor(claimed, { outcome: 'temporary_fail', errorCode: 'provider_rate_limited' });
      // A time no DATETIME column (nor toISOString) can hold: the transition fails after the attempt row.
      const unwritable = finishUpdate('failed', now, { nextAttemptAt: new Date(Number.NaN) });
      const finish = (update: typeof unwritable) =>
        db.notifications.finish(claimed.id, claimed.version, update, attempt, batched ? claimed : undefined);
      for (let retry = 0; retry < 3; retry++) await expect(finish(unwritable)).rejects.toThrow();
      expect(await db.notifications.listAttempts(claimed.id)).toHaveLength(1);
      expect(await db.notifications.findById(claimed.id)).toMatchObject({ status: 'sending' });

      const writable = finishUpdate('failed', now, { nextAttemptAt: new Date(now.getTime() + 1000) });
      expect(await finish(writable)).toMatchObject({ status: 'failed' });
      expect(await db.notifications.listAttempts(claimed.id)).toHaveLength(1);
    },
  );

  it('one unwritable finish in a batch does not fail the others', async () => {
    const now = new Date();
    const claimedRows = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const { record } = await db.notifications.insertOrFind(
          newNotification({ nextAttemptAt: ago(1000) }),
          ago(1000),
        );
        return (await db.notifications.claim(record.id, {
          now,
          leaseOwner: 'w',
          leaseExpiresAt: new Date(now.getTime() + 60_000),
        }))!;
      }),
    );
    const results = await Promise.allSettled(
      claimedRows.map((claimed, i) =>
        db.notifications.finish(
          claimed.id,
          claimed.version,
          i === 0
            ? finishUpdate('failed', now, { nextAttemptAt: new Date(Number.NaN) })
            : finishUpdate('sent', now),
          attemptFor(claimed),
          claimed,
        ),
      ),
    );
    expect(results[0]?.status).toBe('rejected');
    expect(results.slice(1).map((result) => result.status)).toEqual(Array(5).fill('fulfilled'));
    for (const claimed of claimedRows.slice(1)) {
      expect((await db.notifications.findById(claimed.id))?.status).toBe('sent');
      expect(await db.notifications.listAttempts(claimed.id)).toHaveLength(1);
    }
  });
});
