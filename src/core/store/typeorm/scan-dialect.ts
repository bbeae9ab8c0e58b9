import type { DataSource, QueryRunner } from 'typeorm';

/**
 * What the job and maintenance stores need that differs by database. sql-dialect.ts's SqlDialect
 * is a superset, so the SQLite dialect (own `now`, empty `claimLock`: SQLite has neither FOR UPDATE
 * nor SKIP LOCKED, and a single writer needs neither) can be passed wherever this is expected.
 */
export interface ScanDialect {
  /** Current UTC time with milliseconds. UTC_TIMESTAMP, not NOW(): rows are written in UTC ('Z'). */
  readonly now: string;
  /** `now` minus one bound parameter given in milliseconds. */
  readonly nowMinusMs: string;
  /** Appended to claim SELECTs so concurrent scanners skip each other's rows. */
  readonly claimLock: string;
  /** True when `error` (driver error or TypeORM QueryFailedError) violates a unique key. */
  isDuplicateKey(error: unknown): boolean;
}

const ER_DUP_ENTRY = 1062;

/** MySQL 8 / MariaDB 10.6+ (both support SKIP LOCKED). */
export const MYSQL_SCAN_DIALECT: ScanDialect = {
  now: 'UTC_TIMESTAMP(3)',
  nowMinusMs: 'UTC_TIMESTAMP(3) - INTERVAL (? * 1000) MICROSECOND',
  claimLock: 'FOR UPDATE SKIP LOCKED',
  isDuplicateKey: (error) => {
    const candidate = error as { errno?: unknown; driverError?: { errno?: unknown } } | null;
    return (candidate?.driverError?.errno ?? candidate?.errno) === ER_DUP_ENTRY;
  },
};

/** A DataSource or a QueryRunner inside a transaction. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Runs a write and returns its affected (matched, with mysql2) row count. */
export async function execute(target: Queryable, sql: string, params: unknown[]): Promise<number> {
  const result = (await target.query(sql, params)) as { affectedRows?: unknown; changes?: unknown } | null;
  if (typeof result?.affectedRows === 'number') return result.affectedRows;
  return typeof result?.changes === 'number' ? result.changes : 0;
}

/** `n` comma-separated placeholders. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** Runs `work` in one transaction on its own connection: commit on return, rollback on throw. */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.startTransaction();
    const value = await work(runner);
    await runner.commitTransaction();
    return value;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}
