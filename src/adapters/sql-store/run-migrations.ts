import { type DataSource, MigrationExecutor, type QueryRunner } from 'typeorm';

// Several api/worker processes may run `migrate` at once: a server-side named lock serializes them.
const MIGRATION_LOCK = 'notify_gateway_migrations';
const LOCK_TIMEOUT_SECONDS = 120;

function isMysql(dataSource: DataSource): boolean {
  return dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb';
}

async function withMysqlLock<T>(queryRunner: QueryRunner, run: () => Promise<T>): Promise<T> {
  const rows = (await queryRunner.query('SELECT GET_LOCK(?, ?) AS locked', [
    MIGRATION_LOCK,
    LOCK_TIMEOUT_SECONDS,
  ])) as Array<{ locked: number | string | null }>;
  if (Number(rows[0]?.locked) !== 1) {
    throw new Error(`could not take the migration lock within ${LOCK_TIMEOUT_SECONDS}s`);
  }
  try {
    return await run();
  } finally {
    await queryRunner.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK]);
  }
}

/**
 * Applies the DataSource's pending migrations, each in its own transaction, and returns their names
 * (empty when up to date, so running it twice is harmless). Throws on the first failing migration.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.migrations.length === 0) {
    throw new Error(`the ${dataSource.options.type} data source has no migrations configured`);
  }
  // One connection for the lock and the migrations, so a pool of size 1 cannot deadlock on itself.
  const queryRunner = dataSource.createQueryRunner();
  try {
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = 'each';
    const run = async () => (await executor.executePendingMigrations()).map((m) => m.name);
    return isMysql(dataSource) ? await withMysqlLock(queryRunner, run) : await run();
  } finally {
    await queryRunner.release();
  }
}
