import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideLeaseRecovery } from '../../src/core/scanner/lease-recovery-decision.js';
import { normalizeTrigger, triggerPayloadHash } from '../../src/core/schedule/job-payload.js';
import { createLogger } from '../../src/core/shared/logger.js';
import { migrateDatabase, openDatabase, type OpenDatabase } from '../../src/adapters/sql-store/open-store.js';
import { attemptFor, finishUpdate, newNotification } from '../helpers/notification-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const logger = createLogger('silent');
let database: TestDatabase;
let db: OpenDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateDatabase(database.url, logger);
  db = await openDatabase(database.url, 8, logger);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const ago = (ms: number) => new Date(Date.now() - ms);

async function insert(overrides: Parameters<typeof newNotification>[0] = {}) {
  const { record } = await db.notifications.insertOrFind(
    newNotification(overrides),
    overrides.nextAttemptAt ?? ago(0),
  );
  return record;
}

describe('MaintenanceStore.claimLostMessages (outbox relay)', () => {
  it('returns rows due and untouched for the grace period once per period, version unchanged', async () => {
    const lost = await insert({ nextAttemptAt: ago(5000) });
    const future = await insert({ nextAttemptAt: new Date(Date.now() + 60_000) });
    const fresh = await insert({ nextAttemptAt: ago(0) });
    const claimed = (await db.maintenance.claimLostMessages(1000, 1000)).map((r) => r.id);
    expect(claimed).toContain(lost.id);
    expect(claimed).not.toContain(future.id);
    expect(claimed).not.toContain(fresh.id);
    // Touched: not again within the grace period.
    expect((await db.maintenance.claimLostMessages(1000, 1000)).map((r) => r.id)).not.toContain(lost.id);
    const touched = await db.notifications.findById(lost.id);
    expect(touched?.version).toBe(lost.version);
    expect(touched?.updatedAt.getTime()).toBeGreaterThan(lost.updatedAt.getTime());
    // The worker's claim is unaffected by the touch.
    const now = new Date();
    expect(
      await db.notifications.claim(lost.id, {
        now,
        leaseOwner: 'w',
        leaseExpiresAt: new Date(now.getTime() + 1000),
      }),
    ).not.toBeNull();
  });
});

describe('MaintenanceStore.recoverExpiredLeases', () => {
  it('expired lease → attempt `unknown`, failed due now; a late finish then changes nothing', async () => {
    const record = await insert({ nextAttemptAt: ago(10_000) });
    const claimedAt = ago(5000);
    const claimed = await db.notifications.claim(record.id, {
      now: claimedAt,
      leaseOwner: 'dead-worker',
      leaseExpiresAt: ago(3000),
    });
    expect(claimed).not.toBeNull();
    const live = await insert({ nextAttemptAt: ago(10_000) });
    await db.notifications.claim(live.id, {
      now: ago(0),
      leaseOwner: 'live',
      leaseExpiresAt: new Date(Date.now() + 60_000),
    });

    const recovered = await db.maintenance.recoverExpiredLeases(100, (r) =>
      decideLeaseRecovery(r, false, 'retry'),
    );
    expect(recovered.map((r) => r.record.id)).toEqual([record.id]);
    const after = recovered[0]?.record;
    expect(after).toMatchObject({
      status: 'failed',
      attemptCount: 1,
      lastErrorCode: 'lease_expired',
      leaseOwner: null,
    });
    expect(after?.version).toBe((claimed?.version ?? 0) + 1);
    expect(Math.abs((after?.nextAttemptAt.getTime() ?? 0) - Date.now())).toBeLessThan(2000);
    const attempts = await db.notifications.listAttempts(record.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'unknown', possibleDuplicate: true, attemptNo: 1 });

    const late = await db.notifications.finish(
      record.id,
      claimed?.version ?? 0,
      finishUpdate('sent', new Date()),
      attemptFor(claimed!),
    );
    expect(late).toBeNull();
    expect((await db.notifications.findById(record.id))?.status).toBe('failed');
    expect(await db.notifications.listAttempts(record.id)).toHaveLength(1);
    expect((await db.notifications.findById(live.id))?.status).toBe('sending');
  });
});

describe('JobStore claims', () => {
  const trigger = normalizeTrigger({
    userId: 'u',
    triggerId: 't',
    triggerType: '',
    previewId: '',
    target: undefined,
    message: { text: 'x', template: '', variables: {} },
    channels: [],
    dedupeKey: '',
    critical: false,
    traceId: '',
    metadata: {},
  });

  it('concurrent fireDue calls split due jobs without overlap; future jobs wait', async () => {
    const prefix = `split-${Date.now()}`;
    for (let i = 0; i < 40; i++) {
      await db.jobs.insertOrFind(
        {
          jobKey: `${prefix}-${i}`,
          userId: 'u',
          dueAt: ago(1000),
          trigger,
          payloadHash: triggerPayloadHash(trigger),
        },
        new Date(),
      );
    }
    await db.jobs.insertOrFind(
      {
        jobKey: `${prefix}-future`,
        userId: 'u',
        dueAt: new Date(Date.now() + 60_000),
        trigger,
        payloadHash: 'x',
      },
      new Date(),
    );
    const batches = await Promise.all(Array.from({ length: 4 }, () => db.jobs.fireDue(5)));
    let all = batches.flat();
    for (let more = await db.jobs.fireDue(100); more.length > 0; more = await db.jobs.fireDue(100))
      all = [...all, ...more];
    const mine = all.filter((key) => key.startsWith(prefix));
    expect(mine).toHaveLength(40);
    expect(new Set(mine).size).toBe(40);
    expect((await db.jobs.findByKey(`${prefix}-future`))?.status).toBe('waiting');
    const fired = await db.jobs.findByKey(`${prefix}-0`);
    expect(fired?.status).toBe('triggered');
    expect(fired?.firedAt).not.toBeNull();
    // Not stalled until the grace period has passed; recorded jobs never are.
    expect(await db.jobs.claimStalled(60_000, 100)).toEqual([]);
    expect(await db.jobs.recordNotifications(`${prefix}-0`, ['n1'])).toBe(true);
    expect(await db.jobs.recordNotifications(`${prefix}-0`, ['n2'])).toBe(false);
    const stalled = await db.jobs.claimStalled(0, 100);
    expect(stalled).not.toContain(`${prefix}-0`);
    expect(stalled).toContain(`${prefix}-1`);
  });
});
