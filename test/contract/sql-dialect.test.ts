import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDataSource } from '../../src/adapters/sql-store/mysql-data-source.js';
import { runMigrations } from '../../src/adapters/sql-store/run-migrations.js';
import { MYSQL_DIALECT, SQLITE_DIALECT, type SqlDialect } from '../../src/adapters/sql-store/sql-dialect.js';
import { createSqliteDataSource } from '../../src/adapters/sql-store/sqlite-data-source.js';
import { type TestDatabase, createTestDatabase } from '../helpers/test-database.js';

// The dialect fragments no store exercises on every path yet, run against the real databases.
let database: TestDatabase;
const sources: Array<[SqlDialect, DataSource]> = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const mysql = await createMysqlDataSource({ url: database.url, poolSize: 2 });
  const sqlite = await createSqliteDataSource({ path: ':memory:' });
  sources.push([MYSQL_DIALECT, mysql], [SQLITE_DIALECT, sqlite]);
  for (const [, source] of sources) await runMigrations(source);
});

afterAll(async () => {
  for (const [, source] of sources) await source.destroy();
  await database?.drop();
});

describe.each(['mysql', 'sqlite'])('SqlDialect %s', (name) => {
  const pick = () => sources.find(([dialect]) => dialect.name === name)!;

  it('upserts on the unique key, overwriting only the update columns', async () => {
    const [dialect, source] = pick();
    const sql = dialect.upsertSql(
      'user_channel_configs',
      ['user_id', 'channel', 'enabled', 'timezone', 'created_at', 'updated_at'],
      ['user_id', 'channel'],
      ['enabled', 'updated_at'],
    );
    const t1 = new Date('2030-01-01T00:00:00.001Z');
    const t2 = new Date('2030-01-01T00:00:00.002Z');
    await source.query(sql, ['u-upsert', 'mock', 1, 'UTC', t1, t1]);
    await source.query(sql, ['u-upsert', 'mock', 0, 'Asia/Shanghai', t2, t2]);
    const rows: Array<Record<string, unknown>> = await source.query(
      "SELECT enabled, timezone FROM user_channel_configs WHERE user_id = 'u-upsert'",
    );
    expect(rows.map((row) => ({ ...row, enabled: Number(row.enabled) }))).toEqual([
      { enabled: 0, timezone: 'UTC' },
    ]);
  });

  it('recognises a duplicate key, and claims with its lock suffix', async () => {
    const [dialect, source] = pick();
    const insert = `INSERT INTO scheduled_jobs (job_key, user_id, due_at, trigger_payload, payload_hash,
      created_at, updated_at) VALUES ('dup', 'u', ?, '{}', 'h', ?, ?)`;
    const now = new Date();
    await source.query(insert, [now, now, now]);
    const failure: unknown = await source.query(insert, [now, now, now]).catch((error: unknown) => error);
    expect(dialect.isDuplicateKey(failure)).toBe(true);
    expect(dialect.isDuplicateKey(new Error('other'))).toBe(false);
    await source.transaction(async (manager) => {
      const due: unknown[] = await manager.query(
        `SELECT job_key FROM scheduled_jobs WHERE due_at <= ${dialect.now} LIMIT 5 ${dialect.claimLock}`,
      );
      expect(due).toHaveLength(1);
    });
  });
});
