import { placeholders } from './raw-sql.js';
/*
 * What differs between the SQL dialects the raw-SQL stores speak. Statements stay portable (`?`
 * placeholders, standard UPDATE … WHERE compare-and-set); only the few places where MySQL/MariaDB
 * and SQLite disagree go through a dialect, so one store implementation serves both. Binding a Date
 * and the affected-row count of a write are not here: a SQLite DataSource from
 * createSqliteDataSource answers raw queries in mysql2's shapes (sqlite-query-runners.ts).
 */

/** The dialect seam of the raw-SQL stores; {@link MYSQL_DIALECT} is the default everywhere. */
export interface SqlDialect {
  readonly name: 'mysql' | 'sqlite';
  /** True when `error` (raw driver error or TypeORM QueryFailedError) violates a unique key. */
  isDuplicateKey(error: unknown): boolean;
  /** True when the failed statement changed nothing and may simply run again. */
  isRetryable(error: unknown): boolean;
  /** True when the database refused a value itself (too long, out of range): never retryable. */
  isUnstorableValue(error: unknown): boolean;
  /** SQL expression for the current UTC time with milliseconds, comparable with stored times. */
  readonly now: string;
  /** `now` minus one bound parameter given in milliseconds. */
  readonly nowMinusMs: string;
  /** SQL text "YYYY-MM-DD HH:MM" (UTC) of a stored timestamp column, for per-minute counts. */
  minuteOf(column: string): string;
  /** Appended to a claiming SELECT so concurrent claimers skip each other's rows ('' if no row locks). */
  readonly claimLock: string;
  /**
   * INSERT of `columns` (as `?` placeholders) into `table` that, when the `conflict` unique key
   * already exists, overwrites the `update` columns with the new values instead.
   */
  upsertSql(
    table: string,
    columns: readonly string[],
    conflict: readonly string[],
    update: readonly string[],
  ): string;
}

/** The driver error behind a TypeORM QueryFailedError, or the error itself. */
function driverErrorOf(error: unknown): { errno?: unknown; code?: unknown } | null {
  if (error === null || typeof error !== 'object') return null;
  const wrapped = (error as { driverError?: unknown }).driverError;
  return wrapped !== null && typeof wrapped === 'object' ? wrapped : error;
}

const ER_DUP_ENTRY = 1062;
/**
 * Errors about a value, not the server: ER_BAD_NULL_ERROR, ER_TRUNCATED_WRONG_VALUE, ER_DATA_TOO_LONG,
 * ER_WARN_DATA_OUT_OF_RANGE, ER_TRUNCATED_WRONG_VALUE_FOR_FIELD, ER_INVALID_JSON_TEXT (MySQL 8),
 * ER_CONSTRAINT_FAILED (MariaDB's JSON check).
 */
const MYSQL_VALUE_ERRORS: ReadonlySet<unknown> = new Set([1048, 1292, 1406, 1264, 1366, 3140, 4025]);
const SQLITE_VALUE_ERRORS: ReadonlySet<unknown> = new Set([
  'SQLITE_TOOBIG',
  'SQLITE_MISMATCH',
  'SQLITE_CONSTRAINT_CHECK',
  'SQLITE_CONSTRAINT_NOTNULL',
]);
const ER_LOCK_DEADLOCK = 1213;

/** MySQL 8 / MariaDB 10.11 through mysql2 (which binds Date itself, in UTC with `timezone: 'Z'`). */
export const MYSQL_DIALECT: SqlDialect = {
  name: 'mysql',
  isDuplicateKey: (error) => driverErrorOf(error)?.errno === ER_DUP_ENTRY,
  // InnoDB can pick a deadlock victim among concurrent inserts of one key when a holder aborts.
  isRetryable: (error) => driverErrorOf(error)?.errno === ER_LOCK_DEADLOCK,
  isUnstorableValue: (error) => MYSQL_VALUE_ERRORS.has(driverErrorOf(error)?.errno),
  // UTC_TIMESTAMP, not NOW(): rows are written in UTC whatever the session time zone.
  now: 'UTC_TIMESTAMP(3)',
  nowMinusMs: 'UTC_TIMESTAMP(3) - INTERVAL (? * 1000) MICROSECOND',
  claimLock: 'FOR UPDATE SKIP LOCKED',
  minuteOf: (column) => `DATE_FORMAT(${column}, '%Y-%m-%d %H:%i')`,
  upsertSql: (table, columns, _conflict, update) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns.length)})` +
    ` ON DUPLICATE KEY UPDATE ${update.map((column) => `${column} = VALUES(${column})`).join(', ')}`,
};

/**
 * A Date as SQLite stores it: UTC "YYYY-MM-DD HH:MM:SS.mmm". This is the form TypeORM's SQLite
 * drivers write for `datetime` columns and bind for Date parameters, so raw SQL, QueryBuilder and
 * Repository writes to one column agree; fixed width makes text order chronological, and
 * row-values.readDate reads a zone-less time as UTC.
 */
export function toSqliteTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

const SQLITE_CONSTRAINT_UNIQUE = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

const SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/** SQLite 3.35+ through better-sqlite3, on a DataSource from createSqliteDataSource. */
export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  isDuplicateKey: (error) => SQLITE_CONSTRAINT_UNIQUE.has(String(driverErrorOf(error)?.code)),
  // One connection serves the process (sqlite-query-runners.ts), so another writer can only be a
  // second process on the same file, which busy_timeout already waits for.
  isRetryable: (error) => driverErrorOf(error)?.code === 'SQLITE_BUSY',
  isUnstorableValue: (error) => SQLITE_VALUE_ERRORS.has(driverErrorOf(error)?.code),
  // strftime's %f is seconds with milliseconds: the same text form toSqliteTime writes.
  now: SQLITE_NOW,
  nowMinusMs: `strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (? / 1000.0) || ' seconds')`,
  // A write transaction holds the whole database, so there are no row locks to skip.
  claimLock: '',
  // Stored as "YYYY-MM-DD HH:MM:SS.mmm" (toSqliteTime): the minute is its first 16 characters.
  minuteOf: (column) => `substr(${column}, 1, 16)`,
  upsertSql: (table, columns, conflict, update) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns.length)})` +
    ` ON CONFLICT (${conflict.join(', ')}) DO UPDATE SET ` +
    update.map((column) => `${column} = excluded.${column}`).join(', '),
};
