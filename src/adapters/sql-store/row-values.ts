/*
 * Readers for raw driver rows. mysql2 returns TINYINT as 0/1, DATETIME as Date, BIGINT as string
 * and text as string; SQLite drivers return numbers and ISO/space-separated strings. These accept
 * both so raw-SQL stores on either dialect share one mapping, and fail loudly on anything else.
 */

/** A raw row as returned by `dataSource.query`. */
export type RawRow = Readonly<Record<string, unknown>>;

function fail(column: string, value: unknown, expected: string): never {
  throw new Error(`column ${column}: expected ${expected}, got ${typeof value} ${String(value)}`);
}

/** A non-null string column. */
export function readText(row: RawRow, column: string): string {
  const value = row[column];
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return fail(column, value, 'string');
}

/** A nullable string column. */
export function readNullableText(row: RawRow, column: string): string | null {
  return row[column] === null || row[column] === undefined ? null : readText(row, column);
}

/** An integer column (number, or decimal text for BIGINT/COUNT). */
export function readInt(row: RawRow, column: string): number {
  const value = row[column];
  const number = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
  return fail(column, value, 'integer');
}

/** A boolean column stored as 0/1 (or a real boolean). */
export function readBool(row: RawRow, column: string): boolean {
  const value = row[column];
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1 || value === '0' || value === '1') return Number(value) === 1;
  return fail(column, value, 'boolean');
}

/** A non-null timestamp column, stored in UTC. */
export function readDate(row: RawRow, column: string): Date {
  const value = row[column];
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number') date = new Date(value);
  // "YYYY-MM-DD HH:MM:SS.mmm" without a zone is UTC here, never local time.
  else if (typeof value === 'string')
    date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  if (date === undefined || Number.isNaN(date.getTime())) return fail(column, value, 'timestamp');
  return date;
}

/** A nullable timestamp column. */
export function readNullableDate(row: RawRow, column: string): Date | null {
  return row[column] === null || row[column] === undefined ? null : readDate(row, column);
}

/** A JSON column stored as text (MySQL 8 native JSON arrives already parsed). */
export function readJson(row: RawRow, column: string): unknown {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) return value;
  try {
    return JSON.parse(readText(row, column)) as unknown;
  } catch {
    return fail(column, value, 'JSON text');
  }
}

/** JSON text for a JSON column; null for undefined/null so "no payload" stays SQL NULL. */
export function toJsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value) ?? null;
}

/** Cuts a string to `max` characters so an oversized provider message cannot fail a transition. */
export function truncate(value: string | null, max: number): string | null {
  return value !== null && value.length > max ? value.slice(0, max) : value;
}
