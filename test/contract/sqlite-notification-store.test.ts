import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/shared/logger.js';
import { migrateDatabase, openDatabase } from '../../src/adapters/sql-store/open-store.js';
import { ALL_ENTITIES } from '../../src/adapters/sql-store/entities.js';
import { SQLITE_MIGRATIONS } from '../../src/adapters/sql-store/migrations/sqlite/index.js';
import { MIGRATIONS_TABLE_NAME } from '../../src/adapters/sql-store/mysql-data-source.js';
import { UserChannelConfigEntity } from '../../src/adapters/sql-store/user-channel-config-entity.js';
import { runMigrations } from '../../src/adapters/sql-store/run-migrations.js';
import { SQLITE_DIALECT, toSqliteTime } from '../../src/adapters/sql-store/sql-dialect.js';
import { createSqliteDataSource, parseSqliteUrl } from '../../src/adapters/sql-store/sqlite-data-source.js';
import { TypeormNotificationStore } from '../../src/adapters/sql-store/typeorm-notification-store.js';
import { T0, newNotification } from '../helpers/notification-fixtures.js';
import { describeNotificationStoreContract } from './notification-store-contract.js';
import { describeEventStoreContract } from './event-store-contract.js';

let dir: string;
let file: string;
const logger = createLogger('silent');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ngw-sqlite-'));
  // A nested path: the data source creates missing parent directories itself.
  file = path.join(dir, 'nested', 'store.sqlite');
  const dataSource = await createSqliteDataSource({ path: file });
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeNotificationStoreContract('TypeORM on SQLite (better-sqlite3)', async () => {
  const dataSource = await createSqliteDataSource({ path: file });
  const store = new TypeormNotificationStore(dataSource, { dialect: SQLITE_DIALECT });
  return { store, cleanup: () => store.close() };
});

async function withDataSource<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await createSqliteDataSource({ path: file });
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

describe('SQLite migrations', () => {
  it('apply once, then report nothing pending', async () => {
    const fresh = path.join(dir, 'fresh.sqlite');
    const names = SQLITE_MIGRATIONS.map((migration) => new migration().name);
    expect(names[0]).toBe('InitialSchema1767225600000');
    expect(await migrateDatabase(`sqlite:${fresh}`, logger)).toEqual(names);
    expect(await migrateDatabase(`sqlite:${fresh}`, logger)).toEqual([]);
    const dataSource = await createSqliteDataSource({ path: fresh });
    try {
      expect(await dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE_NAME}`)).toHaveLength(names.length);
    } finally {
      await dataSource.destroy();
    }
  });

  it('create exactly the columns the entity schemas declare, and the MySQL keys and indexes', async () => {
    await withDataSource(async (dataSource) => {
      for (const entity of ALL_ENTITIES) {
        const metadata = dataSource.getMetadata(entity);
        const declared = metadata.columns.map((column) => column.databaseName).sort();
        const columns: Array<{ name: string }> = await dataSource.query(
          `SELECT name FROM pragma_table_info('${metadata.tableName}')`,
        );
        expect(columns.map((c) => c.name).sort(), metadata.tableName).toEqual(declared);
      }
      const indexes: Array<{ name: string; unique: number }> = await dataSource.query(
        "SELECT il.name, il.[unique] AS [unique] FROM sqlite_master m, pragma_index_list(m.name) il WHERE m.type = 'table'",
      );
      const named = indexes.filter((index) => !index.name.startsWith('sqlite_autoindex'));
      expect(named.map((index) => index.name).sort()).toEqual([
        'idx_callback_deliveries_status_due',
        'idx_event_decisions_user',
        'idx_event_records_fingerprint',
        'idx_event_records_occurred',
        'idx_event_records_type_occurred',
        'idx_notification_attempts_notification',
        'idx_notification_attempts_started',
        'idx_notification_records_created',
        'idx_notification_records_event',
        'idx_notification_records_status_due',
        'idx_notification_records_user_created',
        'idx_scheduled_jobs_status_due',
        'idx_scheduled_jobs_user_due',
      ]);
      // The UNIQUE constraints (notification_records, user_channel_configs, scheduled_jobs,
      // callback_deliveries, event_decisions) plus the text primary keys of notification_records,
      // callback_deliveries and event_records.
      expect(indexes.filter((index) => index.name.startsWith('sqlite_autoindex'))).toHaveLength(8);
    });
  });
});

describe('SQLite data source', () => {
  it('stores every time as fixed-width UTC text that sorts chronologically', async () => {
    await withDataSource(async (dataSource) => {
      const store = new TypeormNotificationStore(dataSource, { dialect: SQLITE_DIALECT });
      const input = newNotification({ nextAttemptAt: new Date(Date.UTC(2030, 0, 1, 9, 5, 7, 8)) });
      await store.insertOrFind(input, T0);
      const [row]: Array<Record<string, unknown>> = await dataSource.query(
        'SELECT created_at, next_attempt_at FROM notification_records WHERE id = ?',
        [input.id],
      );
      expect(row).toEqual({
        created_at: '2030-01-01 00:00:00.000',
        next_attempt_at: '2030-01-01 09:05:07.008',
      });
      expect(toSqliteTime(new Date(Date.UTC(999, 0, 1)))).toBe('0999-01-01 00:00:00.000');
      // SQLite's own clock speaks the same form, so DB-side `now` compares with stored times.
      const [clock]: Array<{ now: string; earlier: string }> = await dataSource.query(
        `SELECT ${SQLITE_DIALECT.now} AS now, ${SQLITE_DIALECT.nowMinusMs} AS earlier`,
        [1500],
      );
      expect(clock?.now).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
      const readUtc = (text: string) => new Date(`${text.replace(' ', 'T')}Z`).getTime();
      expect(readUtc(clock!.now) - readUtc(clock!.earlier)).toBe(1500);
    });
  });

  it('answers raw writes like mysql2 and uses WAL', async () => {
    await withDataSource(async (dataSource) => {
      const result = await dataSource.query<{ affectedRows: number }>(
        "UPDATE notification_records SET updated_at = ? WHERE status = 'no-such-status'",
        [T0],
      );
      expect(result.affectedRows).toBe(0);
      const [mode]: Array<{ journal_mode: string }> = await dataSource.query('PRAGMA journal_mode');
      expect(mode?.journal_mode).toBe('wal');
    });
  });

  it('keeps a transaction exclusive: statements of other callers wait for it', async () => {
    await withDataSource(async (dataSource) => {
      const runner = dataSource.createQueryRunner();
      await runner.startTransaction();
      await runner.query(
        "INSERT INTO scheduled_jobs (job_key, user_id, due_at, trigger_payload, payload_hash) VALUES ('rolled-back', 'u', ?, '{}', 'h')",
        [T0],
      );
      const other = dataSource.query(
        "INSERT INTO scheduled_jobs (job_key, user_id, due_at, trigger_payload, payload_hash) VALUES ('kept', 'u', ?, '{}', 'h')",
        [T0],
      );
      // Through a repository too (the user-config store's path).
      const repository = dataSource.getRepository(UserChannelConfigEntity);
      const saved = repository.insert({
        userId: 'u-repo',
        channel: 'mock',
        enabled: true,
        state: 'valid',
        createdAt: T0,
        updatedAt: T0,
        version: 1,
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await runner.rollbackTransaction();
      await runner.release();
      await Promise.all([other, saved]);
      const keys: Array<{ job_key: string }> = await dataSource.query(
        "SELECT job_key FROM scheduled_jobs WHERE job_key IN ('kept', 'rolled-back')",
      );
      expect(keys.map((k) => k.job_key)).toEqual(['kept']);
      expect(await repository.findOneBy({ userId: 'u-repo' })).toMatchObject({ updatedAt: T0 });
    });
  });
});

describe('openDatabase with a sqlite: URL', () => {
  it('shares one migrated DataSource per file and closes it with the last user', async () => {
    const url = `sqlite:${path.relative(process.cwd(), path.join(dir, 'shared', 'x.sqlite'))}`;
    const [api, worker] = await Promise.all([openDatabase(url, 5, logger), openDatabase(url, 5, logger)]);
    expect(api.dataSource).toBe(worker.dataSource);
    expect(existsSync(path.join(dir, 'shared', 'x.sqlite'))).toBe(true);
    const { record } = await api.notifications.insertOrFind(newNotification(), T0);
    expect(await worker.notifications.findById(record.id)).toMatchObject({ id: record.id });
    await api.close();
    await api.close();
    expect(worker.dataSource.isInitialized).toBe(true);
    await worker.close();
    expect(worker.dataSource.isInitialized).toBe(false);
    const again = await openDatabase(url, 5, logger);
    try {
      expect(again.dataSource).not.toBe(api.dataSource);
      expect(await again.notifications.findById(record.id)).not.toBeNull();
    } finally {
      await again.close();
    }
  });

  it('rejects URLs it cannot honour', async () => {
    expect(parseSqliteUrl('sqlite::memory:')).toBe(':memory:');
    expect(parseSqliteUrl('sqlite:.data/n.sqlite')).toBe(path.resolve('.data/n.sqlite'));
    for (const url of ['sqlite:', 'sqlite://host/x.sqlite', 'postgres://a@b/c']) {
      await expect(openDatabase(url, 1, logger)).rejects.toMatchObject({ name: 'ConfigError' });
    }
  });
});

describe('event store on SQLite', () => {
  let database: Awaited<ReturnType<typeof openDatabase>>;
  beforeAll(async () => {
    database = await openDatabase(`sqlite:${path.join(dir, 'events.sqlite')}`, 1, logger);
  });
  afterAll(() => database?.close());
  describeEventStoreContract('TypeORM on SQLite', () => ({
    events: database.events,
    notifications: database.notifications,
  }));
});
