import type { DataSource } from 'typeorm';
import { ConfigError } from '../contract/index.js';
import type { Logger } from '../shared/logger.js';
import type { NotificationStore } from './notification-store.js';
import { createMysqlDataSource } from './typeorm/mysql-data-source.js';
import { runMigrations } from './typeorm/run-migrations.js';
import { TypeormNotificationStore } from './typeorm/typeorm-notification-store.js';

/** An open database: the notification store plus the DataSource other stores share. */
export interface OpenDatabase {
  readonly dataSource: DataSource;
  readonly notifications: NotificationStore;
  close(): Promise<void>;
}

/** Open the database named by `url` (mysql://…; sqlite: arrives with the embedded store). */
export async function openDatabase(url: string, poolSize: number, logger: Logger): Promise<OpenDatabase> {
  if (!url.startsWith('mysql://')) {
    throw new ConfigError('database.url', 'must be a mysql:// URL');
  }
  const dataSource = await createMysqlDataSource({ url, poolSize, logger });
  return {
    dataSource,
    notifications: new TypeormNotificationStore(dataSource),
    close: () => dataSource.destroy(),
  };
}

/**
 * Apply checked-in migrations. A MySQL named lock serialises concurrent `migrate` runs (several
 * processes starting at once), so each migration is applied exactly once.
 */
export async function migrateDatabase(url: string, logger: Logger): Promise<string[]> {
  // Two connections: one holds the named lock while TypeORM runs migrations on the other.
  const database = await openDatabase(url, 2, logger);
  try {
    const runner = database.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query("SELECT GET_LOCK('notify_gateway_migrate', 120)");
      return await runMigrations(database.dataSource);
    } finally {
      await runner.query("SELECT RELEASE_LOCK('notify_gateway_migrate')").catch(() => undefined);
      await runner.release();
    }
  } finally {
    await database.close();
  }
}
