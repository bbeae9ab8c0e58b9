import { DataSource } from 'typeorm';
import type { Logger } from '../../core/shared/logger.js';
import { ALL_ENTITIES } from './entities.js';
import { MYSQL_MIGRATIONS } from './migrations/mysql/index.js';
import { parseMysqlUrl } from './mysql-url.js';
import { createTypeormLogger } from './typeorm-logger.js';

/** Name of TypeORM's bookkeeping table of applied migrations. */
export const MIGRATIONS_TABLE_NAME = 'typeorm_migrations';

const SLOW_QUERY_MS = 1000;

/** Options of {@link createMysqlDataSource}. */
export interface MysqlDataSourceOptions {
  /** `mysql://user:pass@host:port/db` (README.md, Configuration). */
  readonly url: string;
  /** Connections in the mysql2 pool (default 10). API and worker should get separate pools (docs/architecture.md §8). */
  readonly poolSize?: number;
  /** Receives failed and slow (> 1 s) queries and migration progress; nothing is logged without it. */
  readonly logger?: Logger;
}

/**
 * Creates and initializes a MySQL/MariaDB DataSource with every entity schema and the MySQL
 * migrations (not run: call runMigrations). Throws when the server is unreachable or the URL is bad.
 */
export async function createMysqlDataSource(options: MysqlDataSourceOptions): Promise<DataSource> {
  const settings = parseMysqlUrl(options.url);
  const dataSource = new DataSource({
    type: 'mysql',
    host: settings.host,
    port: settings.port,
    username: settings.user,
    password: settings.password,
    database: settings.database,
    poolSize: options.poolSize ?? 10,
    charset: 'utf8mb4',
    // Dates are written and read as UTC whatever the process or server time zone is.
    timezone: 'Z',
    // mysql2 captures a stack trace per query for async error context; ~4% of worker CPU in the
    // benchmark profile. Errors still carry the SQL and the driver code.
    extra: { trace: false },
    entities: [...ALL_ENTITIES],
    migrations: [...MYSQL_MIGRATIONS],
    migrationsTableName: MIGRATIONS_TABLE_NAME,
    synchronize: false,
    ...(options.logger
      ? { logger: createTypeormLogger(options.logger), maxQueryExecutionTime: SLOW_QUERY_MS }
      : { logging: false }),
  });
  await dataSource.initialize();
  return dataSource;
}
