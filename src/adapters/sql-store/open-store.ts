import type { DataSource } from 'typeorm';
import type { CallbackStore } from '../../core/callbacks/callback-store.js';
import type { RedriveStore } from '../../core/notification/redrive-store.js';
import { ConfigError } from '../../core/contract/index.js';
import type { Logger } from '../../core/shared/logger.js';
import type { JobStore } from '../../core/schedule/job-store.js';
import type { MaintenanceStore } from '../../core/scanner/maintenance-store.js';
import type { NotificationStore } from '../../core/notification/notification-store.js';
import type { OverviewStore } from '../../core/operations/overview-store.js';
import { createMysqlDataSource } from './mysql-data-source.js';
import { runMigrations } from './run-migrations.js';
import { acquireSqliteDataSource } from './shared-sqlite-data-source.js';
import { MYSQL_DIALECT, SQLITE_DIALECT, type SqlDialect } from './sql-dialect.js';
import { parseSqliteUrl } from './sqlite-data-source.js';
import { TypeormJobStore } from './typeorm-job-store.js';
import { TypeormMaintenanceStore } from './typeorm-maintenance-store.js';
import { TypeormNotificationStore } from './typeorm-notification-store.js';
import { TypeormOverviewStore } from './typeorm-overview-store.js';
import { TypeormUserConfigStore } from './typeorm-user-config-store.js';
import type { UserConfigStore } from '../../core/user-config/user-config-store.js';
import { TypeormCallbackStore } from './typeorm-callback-store.js';
import { TypeormRedriveStore } from './typeorm-redrive-store.js';

/** An open database: the notification store plus the DataSource other stores share. */
export interface OpenDatabase {
  readonly dataSource: DataSource;
  readonly notifications: NotificationStore;
  readonly userConfigs: UserConfigStore;
  /** Scheduled jobs (ScheduleService and the scanner's due-job duties). */
  readonly jobs: JobStore;
  /** The scanner's outbox-relay and lease-recovery queries. */
  readonly maintenance: MaintenanceStore;
  /** The status callbacks' outbox. */
  readonly callbacks: CallbackStore;
  /** Bulk redrive and status-overview queries (operators). */
  readonly redrives: RedriveStore;
  /** The operator overview's counts (OperationsService). */
  readonly overview: OverviewStore;
  close(): Promise<void>;
}

/** Every store on one DataSource; `close` is how the caller lets go of that DataSource. */
function storesOn(dataSource: DataSource, dialect: SqlDialect, close: () => Promise<void>): OpenDatabase {
  return {
    dataSource,
    // The DataSource belongs to the OpenDatabase (and, for SQLite, may be shared): close() frees it.
    notifications: new TypeormNotificationStore(dataSource, { dialect, closeDataSource: false }),
    userConfigs: new TypeormUserConfigStore(dataSource, dialect),
    jobs: new TypeormJobStore(dataSource, dialect),
    maintenance: new TypeormMaintenanceStore(dataSource, dialect),
    callbacks: new TypeormCallbackStore(dataSource, dialect),
    redrives: new TypeormRedriveStore(dataSource),
    overview: new TypeormOverviewStore(dataSource, dialect),
    close,
  };
}

function sqliteFileOf(url: string): string {
  try {
    return parseSqliteUrl(url);
  } catch (error) {
    throw new ConfigError('database.url', (error as Error).message);
  }
}

/**
 * Open the database named by `url`: `mysql://…` (a pool of `poolSize`), or `sqlite:<path>` (relative
 * to the working directory; `sqlite::memory:` for tests), the embedded store. Every SQLite open in the
 * process shares one DataSource per file, migrated on first open (no separate migrate step); it
 * closes when the last OpenDatabase on it closes. Throws ConfigError for any other URL.
 */
export async function openDatabase(url: string, poolSize: number, logger: Logger): Promise<OpenDatabase> {
  if (url.startsWith('sqlite:')) {
    const lease = await acquireSqliteDataSource(sqliteFileOf(url), logger);
    return storesOn(lease.dataSource, SQLITE_DIALECT, () => lease.release());
  }
  if (!url.startsWith('mysql://')) {
    throw new ConfigError('database.url', 'must be a mysql:// or sqlite:<path> URL');
  }
  const dataSource = await createMysqlDataSource({ url, poolSize, logger });
  return storesOn(dataSource, MYSQL_DIALECT, () => dataSource.destroy());
}

/**
 * Apply checked-in migrations and return the names applied. MySQL: runMigrations serialises
 * concurrent runs with a named lock. SQLite: opening migrates, so this reports what that applied.
 */
export async function migrateDatabase(url: string, logger: Logger): Promise<string[]> {
  if (url.startsWith('sqlite:')) {
    const lease = await acquireSqliteDataSource(sqliteFileOf(url), logger);
    await lease.release();
    return [...lease.applied];
  }
  const database = await openDatabase(url, 1, logger);
  try {
    return await runMigrations(database.dataSource);
  } finally {
    await database.close();
  }
}

/**
 * Refuse to serve on a schema that lacks checked-in migrations: otherwise every query fails at
 * run time with "table doesn't exist" instead of one clear message at boot.
 */
export async function assertMigrated(database: OpenDatabase): Promise<void> {
  if (await database.dataSource.showMigrations()) {
    throw new ConfigError(
      'database.url',
      'the database schema is not up to date: run `notify-gateway migrate` first',
    );
  }
}
