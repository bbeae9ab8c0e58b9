import type { EntitySchemaColumnOptions } from 'typeorm';

/*
 * Column builders shared by the entity schemas. Types are the generic ones TypeORM accepts on both
 * MySQL/MariaDB and SQLite (`varchar`, `text`, `int`, `boolean`, `datetime`), so an embedded SQLite
 * store can reuse the schemas; the checked-in MySQL migrations choose the physical types (CHAR(36),
 * MEDIUMTEXT, TINYINT(1)) and are the source of truth for the MySQL schema. Schemas are never
 * synchronized. No column has a database-side default here: every time and counter is written by
 * the store from the injected clock, and defaults such as CURRENT_TIMESTAMP(3) are dialect-specific.
 */

/** A bounded string column. */
export function stringColumn(name: string, length: number, nullable = false): EntitySchemaColumnOptions {
  return { name, type: 'varchar', length, nullable };
}

/** An unbounded text column (message bodies, error text, JSON stored as text). */
export function textColumn(name: string, nullable = false): EntitySchemaColumnOptions {
  return { name, type: 'text', nullable };
}

/** A 32-bit integer column. */
export function intColumn(name: string): EntitySchemaColumnOptions {
  return { name, type: 'int', nullable: false };
}

/** A boolean column (TINYINT(1) on MySQL, read back as 0/1). */
export function booleanColumn(name: string): EntitySchemaColumnOptions {
  return { name, type: 'boolean', nullable: false };
}

/** A millisecond-precision timestamp, stored in UTC (DATETIME(3) on MySQL). */
export function timeColumn(name: string, nullable = false): EntitySchemaColumnOptions {
  return { name, type: 'datetime', precision: 3, nullable };
}

/** An auto-increment surrogate key; bigint values come back from mysql2 as strings. */
export function bigintIdColumn(): EntitySchemaColumnOptions {
  return { name: 'id', type: 'bigint', primary: true, generated: 'increment' };
}
