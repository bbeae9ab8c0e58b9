import path from 'node:path';
import { DataSource } from 'typeorm';
import type { Logger } from '../../core/shared/logger.js';
import { ALL_ENTITIES } from './entities.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';
import { MIGRATIONS_TABLE_NAME } from './mysql-data-source.js';
import { SQLITE_DIALECT } from './sql-dialect.js';
import { installSqliteQueryRunners } from './sqlite-query-runners.js';
import { createTypeormLogger } from './typeorm-logger.js';

const SLOW_QUERY_MS = 1000;
/** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** The in-memory database: private to one DataSource, gone when it closes. */
export const SQLITE_MEMORY = ':memory:';

/** Options of {@link createSqliteDataSource}. */
export interface SqliteDataSourceOptions {
  /** Database file, relative to the working directory (its directory is created), or `:memory:`. */
  readonly path: string;
  /** Receives failed and slow (> 1 s) queries and migration progress; nothing is logged without it. */
  readonly logger?: Logger;
}

/**
 * Parses `sqlite:<path>` (README.md, Configuration; `sqlite::memory:` for a throwaway database) to the file path,
 * resolved against the working directory. Throws an Error naming the problem.
 */
export function parseSqliteUrl(url: string): string {
  if (!url.startsWith('sqlite:')) throw new Error(`database url must start with sqlite:, got ${url}`);
  const file = url.slice('sqlite:'.length);
  if (file === SQLITE_MEMORY) return SQLITE_MEMORY;
  // "sqlite://host/x" reads like a URL with a host, which a file database cannot honour.
  if (file === '' || file.startsWith('//')) {
    throw new Error('database url must name a file: sqlite:<path>, e.g. sqlite:.data/notify.sqlite');
  }
  return path.resolve(file);
}

/**
 * Creates and initializes an embedded SQLite DataSource (better-sqlite3: one synchronous connection)
 * with every entity schema and the SQLite migrations (not run: call runMigrations). WAL lets readers
 * of other processes (a `migrate` run, sqlite3 shell) proceed beside the writer; query runners are
 * exclusive leases of the one connection that answer raw SQL like mysql2 (sqlite-query-runners.ts),
 * so the raw-SQL stores run unchanged with SQLITE_DIALECT. Throws when the file cannot be opened
 * or created.
 */
export async function createSqliteDataSource(options: SqliteDataSourceOptions): Promise<DataSource> {
  const database = options.path === SQLITE_MEMORY ? SQLITE_MEMORY : path.resolve(options.path);
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    // The driver creates the parent directory of a file database itself.
    database,
    enableWAL: true,
    timeout: BUSY_TIMEOUT_MS,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      // With WAL, NORMAL loses no committed transaction when the process dies (only on power loss)
      // and skips an fsync per commit; FULL would cap the store at the disk's fsync rate.
      db.pragma('synchronous = NORMAL');
    },
    entities: [...ALL_ENTITIES],
    migrations: [...SQLITE_MIGRATIONS],
    migrationsTableName: MIGRATIONS_TABLE_NAME,
    synchronize: false,
    ...(options.logger
      ? {
          logger: createTypeormLogger(options.logger, SQLITE_DIALECT),
          maxQueryExecutionTime: SLOW_QUERY_MS,
        }
      : { logging: false }),
  });
  installSqliteQueryRunners(dataSource, (fields, message) => options.logger?.warn(fields, message));
  await dataSource.initialize();
  return dataSource;
}
