import type { DataSource, EntityManager, QueryResult, QueryRunner } from 'typeorm';
import { installedPackageVersion } from '../installed-package-version.js';
import { toSqliteTime } from './sql-dialect.js';

/** The TypeORM release whose SQLite driver internals this module was written against. */
export const TYPEORM_PATCHED_VERSION = '1.1.1';

/*
 * TypeORM's SQLite drivers hand every caller the SAME query runner on the one connection, so two
 * concurrent transactions interleave at each `await`: B's statement lands inside A's transaction
 * (and is undone by A's rollback), B's BEGIN becomes a SAVEPOINT of A's. This module makes the
 * DataSource behave like a pool of exactly one connection: each createQueryRunner() returns its own
 * handle that takes the connection on first use and gives it back on release(), waiting in FIFO
 * order meanwhile. Every TypeORM path (DataSource.query, QueryBuilder, Repository, transaction,
 * migrations) already releases its runner, so all stores sharing the DataSource are covered.
 * A caller that holds a runner must not use another one before releasing it (that would wait for
 * itself), exactly as with a MySQL pool of size one.
 *
 * The handles also make raw SQL portable, answering query() as mysql2 does so the raw-SQL stores
 * need no driver branches: a Date parameter is bound as toSqliteTime text (better-sqlite3 cannot
 * bind Date; QueryBuilder and Repository already convert the same way), and a write without
 * `useStructuredResult` resolves to `{ affectedRows, insertId }` instead of a bare last rowid.
 */

/** A FIFO mutex. */
class ConnectionLock {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  async acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}

const GUARDED = new Set<PropertyKey>([
  'connect',
  'stream',
  'startTransaction',
  'commitTransaction',
  'rollbackTransaction',
]);

/** A per-caller view of the shared runner that owns the connection between first use and release. */
function leasedRunner(shared: QueryRunner, lock: ConnectionLock): QueryRunner {
  let held = false;
  let released = false;
  // DataSource.createQueryRunner assigns a manager per call; on the shared runner the last caller
  // would win and a transaction's manager could point at someone else's handle.
  let manager: EntityManager | undefined;
  const acquire = async (): Promise<void> => {
    if (held) return;
    // Taking the connection after release() would hold it forever: nothing releases twice.
    if (released) throw new Error('query runner already released');
    await lock.acquire();
    held = true;
  };
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    if (!held) return;
    try {
      // A runner released mid-transaction must not leave the connection inside it for the next one.
      if (shared.isTransactionActive) await shared.rollbackTransaction();
      await shared.release();
    } finally {
      held = false;
      lock.release();
    }
  };
  const proxy: QueryRunner = new Proxy(shared, {
    get(target, property, receiver: QueryRunner) {
      if (property === 'release') return release;
      if (property === 'isReleased') return released;
      if (property === 'isTransactionActive') return held && target.isTransactionActive;
      if (property === 'manager') return manager ?? target.manager;
      if (property === 'query') {
        return async (sql: string, parameters?: unknown[], structured = false): Promise<unknown> => {
          await acquire();
          const bound = parameters?.map((value) => (value instanceof Date ? toSqliteTime(value) : value));
          const structuredQuery = Reflect.get(target, 'query', receiver) as (
            this: QueryRunner,
            sql: string,
            parameters: unknown[] | undefined,
            structured: true,
          ) => Promise<QueryResult>;
          const result = await structuredQuery.call(receiver, sql, bound, true);
          if (structured) return result;
          // Readers return their rows as raw; writers return the last rowid there.
          if (Array.isArray(result.raw)) return result.raw;
          return { affectedRows: result.affected ?? 0, insertId: result.raw as unknown };
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      if (!GUARDED.has(property) || typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        await acquire();
        return (value as (...a: unknown[]) => Promise<unknown>).apply(receiver, args);
      };
    },
    set(target, property, value) {
      if (property === 'manager') {
        manager = value as EntityManager;
        return true;
      }
      return Reflect.set(target, property, value);
    },
  });
  return proxy;
}

/** Receives the boot-time warning about a TypeORM version this module was not written against. */
export type PatchWarning = (fields: Record<string, unknown>, message: string) => void;

/**
 * Makes every query runner of an uninitialized better-sqlite3 DataSource an exclusive lease of its
 * one connection that answers in mysql2's shapes; see the module comment. Call once, before
 * initialize(). For another TypeORM version than TYPEORM_PATCHED_VERSION (`installed`, default the
 * installed one) it warns through `warn` but still installs: unlike the amqplib write coalescing
 * this is not an optimisation, and without it concurrent transactions on the embedded store
 * interleave and the raw-SQL stores misread results, so disabling it would trade a warning for
 * silent corruption. The SQLite store contract suite is what proves a new version.
 */
export function installSqliteQueryRunners(
  dataSource: DataSource,
  warn: PatchWarning = () => undefined,
  installed = installedPackageVersion('typeorm'),
): void {
  if (installed !== TYPEORM_PATCHED_VERSION) {
    warn(
      { typeorm_version: installed ?? 'unknown', patched_version: TYPEORM_PATCHED_VERSION },
      'typeorm is not the version the SQLite query-runner leases were written against: kept (the embedded store needs them); run the SQLite store contract suite against this version',
    );
  }
  const driver = dataSource.driver as unknown as { createQueryRunner(mode: string): QueryRunner };
  const createShared = driver.createQueryRunner.bind(driver);
  const lock = new ConnectionLock();
  driver.createQueryRunner = (mode) => leasedRunner(createShared(mode), lock);
}
