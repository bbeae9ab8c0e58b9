import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/shared/logger.js';
import { migrateDatabase, openDatabase, type OpenDatabase } from '../../src/adapters/sql-store/open-store.js';
import { T0, newNotification, uniqueUser } from '../helpers/notification-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/*
 * Issue 12 items 2 and 3 at the store level, on both stores: ids that differ only by a trailing
 * space are different ids (MariaDB's PAD SPACE utf8mb4_bin made them equal), and the largest
 * metadata the API accepts fits its column.
 */

const logger = createLogger('silent');

interface StoreUnderTest {
  readonly name: string;
  readonly open: () => Promise<{ db: OpenDatabase; cleanup: () => Promise<void> }>;
}

let sqliteDir: string;
let mariadb: TestDatabase;

beforeAll(async () => {
  sqliteDir = mkdtempSync(path.join(tmpdir(), 'ngw-exact-ids-'));
  mariadb = await createTestDatabase();
  await migrateDatabase(mariadb.url, logger);
});

afterAll(async () => {
  rmSync(sqliteDir, { recursive: true, force: true });
  await mariadb?.drop();
});

const STORES: StoreUnderTest[] = [
  {
    name: 'SQLite',
    open: async () => {
      const db = await openDatabase(`sqlite:${path.join(sqliteDir, 'store.sqlite')}`, 2, logger);
      return { db, cleanup: () => db.close() };
    },
  },
  {
    name: 'MariaDB',
    open: async () => {
      const db = await openDatabase(mariadb.url, 4, logger);
      return { db, cleanup: () => db.close() };
    },
  },
];

describe.each(STORES)('exact ids and stored sizes: $name', (storeUnderTest) => {
  let db: OpenDatabase;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ db, cleanup } = await storeUnderTest.open());
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('keeps notification records whose user, dedupe key or trigger differ by a trailing space apart', async () => {
    const alice = uniqueUser();
    const first = await db.notifications.insertOrFind(
      newNotification({ userId: alice, dedupeKey: 'k', triggerId: 't-2' }),
      T0,
    );
    const spacedUser = await db.notifications.insertOrFind(
      newNotification({ userId: `${alice} `, dedupeKey: 'k', triggerId: 't-2' }),
      T0,
    );
    const spacedKey = await db.notifications.insertOrFind(
      newNotification({ userId: alice, dedupeKey: 'k ', triggerId: 't-2 ' }),
      T0,
    );
    expect([first.deduplicated, spacedUser.deduplicated, spacedKey.deduplicated]).toEqual([
      false,
      false,
      false,
    ]);
    expect(new Set([first.record.id, spacedUser.record.id, spacedKey.record.id]).size).toBe(3);

    const byUser = await db.notifications.list({ userId: alice, limit: 10 });
    expect(byUser.records.map((record) => record.dedupeKey).sort()).toEqual(['k', 'k ']);
    const bySpacedUser = await db.notifications.list({ userId: `${alice} `, limit: 10 });
    expect(bySpacedUser.records.map((record) => record.id)).toEqual([spacedUser.record.id]);
    const byTrigger = await db.notifications.list({ userId: alice, triggerId: 't-2', limit: 10 });
    expect(byTrigger.records.map((record) => record.id)).toEqual([first.record.id]);
  });

  it('keeps channel settings of "carol" and "carol " apart, in batched reads and deletes too', async () => {
    const carol = uniqueUser();
    const write = (userId: string, timezone: string) =>
      db.userConfigs.upsert(
        {
          userId,
          channel: 'mock',
          enabled: true,
          sealedSettings: null,
          timezone,
          quietHours: null,
          locale: 'zh_cn',
        },
        T0,
      );
    await write(carol, 'Asia/Shanghai');
    await write(`${carol} `, 'Europe/Berlin');
    // Concurrent reads are batched into one query: each must get its own row back.
    const [plain, spaced] = await Promise.all([
      db.userConfigs.get(carol, 'mock'),
      db.userConfigs.get(`${carol} `, 'mock'),
    ]);
    expect(plain?.timezone).toBe('Asia/Shanghai');
    expect(spaced?.timezone).toBe('Europe/Berlin');
    expect(await db.userConfigs.delete(`${carol} `, 'mock')).toBe(true);
    expect((await db.userConfigs.get(carol, 'mock'))?.timezone).toBe('Asia/Shanghai');
    expect(await db.userConfigs.get(`${carol} `, 'mock')).toBeNull();
  });

  it('keeps scheduled jobs whose keys differ by a trailing space apart', async () => {
    const key = `job-${uniqueUser()}`;
    const job = (jobKey: string) => ({
      jobKey,
      userId: 'u1',
      dueAt: new Date(Date.now() + 3_600_000),
      trigger: {
        userId: 'u1',
        triggerId: 't1',
        triggerType: '',
        previewId: '',
        target: undefined,
        message: { text: 'hi', template: '', variables: {} },
        channels: [],
        dedupeKey: '',
        critical: false,
        traceId: '',
        metadata: {},
      },
      payloadHash: jobKey,
    });
    expect((await db.jobs.insertOrFind(job(key), T0)).inserted).toBe(true);
    expect((await db.jobs.insertOrFind(job(`${key} `), T0)).inserted).toBe(true);
    expect((await db.jobs.findByKey(`${key} `))?.payloadHash).toBe(`${key} `);
  });

  it('stores the largest metadata the API accepts (32 × 1,024 characters of CJK or quotes)', async () => {
    for (const fill of ['日', '"']) {
      const metadata: Record<string, string> = {};
      for (let i = 0; i < 32; i++)
        metadata[`${'k'.repeat(60)}${String(i).padStart(4, '0')}`] = fill.repeat(1024);
      const { record } = await db.notifications.insertOrFind(newNotification({ metadata }), T0);
      expect((await db.notifications.findById(record.id))?.metadata).toEqual(metadata);
    }
  });
});
