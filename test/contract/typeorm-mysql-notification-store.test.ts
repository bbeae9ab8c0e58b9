import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ENTITIES } from '../../src/adapters/sql-store/entities.js';
import {
  MIGRATIONS_TABLE_NAME,
  createMysqlDataSource,
} from '../../src/adapters/sql-store/mysql-data-source.js';
import { MYSQL_MIGRATIONS } from '../../src/adapters/sql-store/migrations/mysql/index.js';
import { parseMysqlUrl } from '../../src/adapters/sql-store/mysql-url.js';
import { runMigrations } from '../../src/adapters/sql-store/run-migrations.js';
import { TypeormNotificationStore } from '../../src/adapters/sql-store/typeorm-notification-store.js';
import { type TestDatabase, createTestDatabase } from '../helpers/test-database.js';
import { describeNotificationStoreContract } from './notification-store-contract.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  const dataSource = await createMysqlDataSource({ url: database.url, poolSize: 1 });
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
});

afterAll(async () => {
  await database?.drop();
});

describeNotificationStoreContract('TypeORM on MariaDB', async () => {
  // Enough connections that the 20 concurrent inserts really race on the server.
  const dataSource = await createMysqlDataSource({ url: database.url, poolSize: 25 });
  const store = new TypeormNotificationStore(dataSource);
  return { store, cleanup: () => store.close() };
});

async function columnsOf(dataSource: DataSource, table: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await dataSource.query(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  return rows.map((row) => row.name).sort();
}

describe('MySQL migrations', () => {
  it('apply once under concurrent runs, then report nothing pending', async () => {
    const fresh = await createTestDatabase();
    const sources = await Promise.all(
      [1, 2].map(() => createMysqlDataSource({ url: fresh.url, poolSize: 1 })),
    );
    try {
      const [first, second] = await Promise.all(sources.map((source) => runMigrations(source)));
      // Whichever run won the lock applied every migration in order; the other found none pending.
      const names = MYSQL_MIGRATIONS.map((migration) => new migration().name);
      expect([...(first ?? []), ...(second ?? [])]).toEqual(names);
      expect(await runMigrations(sources[0]!)).toEqual([]);
      const applied: unknown[] = await sources[0]!.query(`SELECT name FROM ${MIGRATIONS_TABLE_NAME}`);
      expect(applied).toHaveLength(names.length);
    } finally {
      await Promise.all(sources.map((source) => source.destroy()));
      await fresh.drop();
    }
  });

  it('create exactly the columns the entity schemas declare, with byte-exact collation', async () => {
    const dataSource = await createMysqlDataSource({ url: database.url, poolSize: 1 });
    try {
      for (const entity of ALL_ENTITIES) {
        const metadata = dataSource.getMetadata(entity);
        const declared = metadata.columns.map((column) => column.databaseName).sort();
        expect(await columnsOf(dataSource, metadata.tableName), metadata.tableName).toEqual(declared);
      }
      const [table]: Array<{ collation: string }> = await dataSource.query(
        `SELECT TABLE_COLLATION AS collation FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notification_records'`,
      );
      expect(table?.collation).toBe('utf8mb4_bin');
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('parseMysqlUrl', () => {
  it('reads every part, decoding credentials and defaulting the port', () => {
    expect(parseMysqlUrl('mysql://app:p%40ss%3Aw@db.internal:3307/notify')).toEqual({
      host: 'db.internal',
      port: 3307,
      user: 'app',
      password: 'p@ss:w',
      database: 'notify',
    });
    expect(parseMysqlUrl('mysql://root@127.0.0.1/notify')).toMatchObject({ port: 3306, password: undefined });
  });

  it('rejects URLs it cannot honour without echoing the password', () => {
    for (const url of [
      'postgres://a@b/c',
      'mysql://root@host',
      'mysql://root:secret@host/db?ssl=true',
      'nope',
    ]) {
      expect(() => parseMysqlUrl(url)).toThrow();
      try {
        parseMysqlUrl(url);
      } catch (error) {
        expect(String(error)).not.toContain('secret');
      }
    }
  });
});
