import type { DataSource } from 'typeorm';
import type { Logger } from '../../core/shared/logger.js';
import { runMigrations } from './run-migrations.js';
import { createSqliteDataSource } from './sqlite-data-source.js';

/** A reference to the process-wide DataSource of one SQLite file. */
export interface SqliteLease {
  readonly dataSource: DataSource;
  /** Migrations this acquire applied (only the first opener of a file applies any). */
  readonly applied: readonly string[];
  /** Drops the reference; the last one closes the DataSource. Idempotent. */
  release(): Promise<void>;
}

interface Entry {
  refs: number;
  readonly ready: Promise<{ dataSource: DataSource; applied: string[] }>;
}

// Mode `all` opens the database for the API and for the worker. With MySQL those are two pools
// (docs/architecture.md §8); with SQLite a second connection to the same file would only trade the in-process queue for
// SQLITE_BUSY waits, so every opener in the process shares one DataSource, keyed by resolved path.
const shared = new Map<string, Entry>();

async function initialize(file: string, logger: Logger) {
  const dataSource = await createSqliteDataSource({ path: file, logger });
  try {
    // Embedded mode has no separate `migrate` step for a newcomer: the first opener brings the
    // schema up to date (a no-op once it is).
    const applied = await runMigrations(dataSource);
    if (applied.length > 0) logger.info({ applied, file }, 'embedded database migrated');
    return { dataSource, applied };
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
}

/**
 * Acquires the shared, migrated DataSource of the SQLite database at `file` (an absolute path or
 * `:memory:`, whose one database then lives while any lease does). Rejects when the file cannot be
 * opened or a migration fails; the next acquire then tries afresh.
 */
export async function acquireSqliteDataSource(file: string, logger: Logger): Promise<SqliteLease> {
  let entry = shared.get(file);
  const opener = entry === undefined;
  if (entry === undefined) {
    entry = { refs: 0, ready: initialize(file, logger) };
    shared.set(file, entry);
  }
  const current = entry;
  current.refs += 1;
  let ready: { dataSource: DataSource; applied: string[] };
  try {
    ready = await current.ready;
  } catch (error) {
    current.refs -= 1;
    if (shared.get(file) === current) shared.delete(file);
    throw error;
  }
  let released = false;
  return {
    dataSource: ready.dataSource,
    applied: opener ? ready.applied : [],
    async release() {
      if (released) return;
      released = true;
      current.refs -= 1;
      if (current.refs > 0) return;
      if (shared.get(file) === current) shared.delete(file);
      await ready.dataSource.destroy();
    },
  };
}
