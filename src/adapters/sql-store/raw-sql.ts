import type { DataSource, QueryRunner } from 'typeorm';
import type { RawRow } from './row-values.js';

/*
 * The few helpers every raw-SQL store shares. Writes answer in mysql2's shape on both databases
 * (a SQLite DataSource from createSqliteDataSource imitates it), so one `execute` serves both.
 */

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

/** Runs a read and returns its rows. */
export async function select(target: Queryable, sql: string, params: unknown[]): Promise<RawRow[]> {
  return (await target.query(sql, params)) as RawRow[];
}
