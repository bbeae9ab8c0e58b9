import { CoalescingBatcher } from '../../core/shared/coalescing-batcher.js';
import { UnstorableValueError } from '../../core/shared/unstorable-value-error.js';
import { execute, placeholders, select } from './raw-sql.js';
import type { DataSource } from 'typeorm';
import type {
  AttemptRecord,
  NewNotification,
  NotificationRecord,
} from '../../core/notification/notification-record.js';
import type {
  ClaimRequest,
  FinishUpdate,
  InsertResult,
  ListPage,
  ListQuery,
  NotificationStore,
} from '../../core/notification/notification-store.js';
import { encodeListCursor } from './list-cursor.js';
import {
  acknowledgeRecords,
  insertLifecycleAttempt,
  markRecordRecalled,
} from './notification-lifecycle-sql.js';
import { buildListStatement, pageSizeOf } from './notification-list-sql.js';
import {
  ATTEMPT_READ_COLUMNS,
  NOTIFICATION_COLUMNS,
  mapAttemptRow,
  mapNotificationRow,
} from './notification-rows.js';
import { MYSQL_DIALECT, type SqlDialect } from './sql-dialect.js';
import { STATUS_MOVES } from '../../core/notification/status-machine.js';
import {
  attemptParams,
  CANCEL_SQL,
  CLAIM_BY_ID_SQL,
  CLAIM_SQL,
  claimedFrom,
  FINISH_SQL,
  finishedFrom,
  finishManySql,
  finishValues,
  INSERT_FINISH_ATTEMPT_SQL,
  insertFinishAttemptsSql,
  REDRIVE_SQL,
} from './notification-transition-sql.js';
import {
  INSERT_SQL,
  insertedRecord,
  insertParams,
  insertSql,
  SELECT_BY_DEDUPE,
} from './notification-insert-sql.js';

/**
 * Batches of concurrent trigger inserts: one statement (one commit, one log flush) for up to 32 rows.
 * Rows carry the message text, so the batch stays far below max_allowed_packet (16 MiB by default).
 */
const INSERT_BATCHING = { maxInFlight: 4, maxBatch: 32 } as const;

interface PendingInsert {
  readonly record: NewNotification;
  readonly now: Date;
}

/** One row's outcome inside a batch: its own result, or its own error. */
type InsertOutcome = InsertResult | { readonly error: unknown };

const selectByIds = (count: number): string =>
  `SELECT ${NOTIFICATION_COLUMNS} FROM notification_records WHERE id IN (${placeholders(count)})`;

/** Batches of concurrent reads by id (every delivery starts with one): a few at once, up to 64 ids each. */
const FIND_BATCHING = { maxInFlight: 4, maxBatch: 64 } as const;

/** How the database compares ids: ascii_bin is a PAD SPACE collation (trailing spaces ignored). */
const idKey = (id: string): string => id.replace(/ +$/, '');

/**
 * Batches of concurrent claims (every delivery makes one): a few at once, up to 32 rows each.
 * A claim is a compare-and-set on the version the worker read, so batching changes no outcome.
 */
const CLAIM_BATCHING = { maxInFlight: 4, maxBatch: 32 } as const;

/** Batches of concurrent finishes (every delivery ends with one): a few at once, up to 32 each. */
const FINISH_BATCHING = { maxInFlight: 4, maxBatch: 32 } as const;

/** A finish of the record a claim returned, at the version it returned (the worker's hot path). */
interface ClaimedFinish {
  readonly claimed: NotificationRecord;
  readonly update: FinishUpdate;
  readonly attempt: AttemptRecord;
}

/** One finish's outcome inside a batch: its record (null when the row had moved), or its own error. */
type FinishOutcome = NotificationRecord | null | { readonly error: unknown };

/** A claim that carries the record it expects (the worker's hot path). */
type ExpectedClaim = ClaimRequest & { readonly expected: NotificationRecord };

/** Options of {@link TypeormNotificationStore}. */
export interface TypeormNotificationStoreOptions {
  /** Destroy the DataSource on close() (default true); false when other stores share it. */
  readonly closeDataSource?: boolean;
  /** SQL dialect of the DataSource (default MYSQL_DIALECT; SQLITE_DIALECT needs createSqliteDataSource). */
  readonly dialect?: SqlDialect;
}

/**
 * NotificationStore on an initialized TypeORM DataSource, MySQL/MariaDB or (with SQLITE_DIALECT)
 * the embedded SQLite store. Hot paths are single raw statements (Repository.save costs ~35% more,
 * docs/architecture.md §8); transitions are compare-and-set.
 */
export class TypeormNotificationStore implements NotificationStore {
  private readonly closeDataSource: boolean;
  private readonly dialect: SqlDialect;
  private readonly inserts = new CoalescingBatcher<PendingInsert, InsertOutcome>(
    (batch) => this.insertMany(batch),
    INSERT_BATCHING,
  );
  /** The last batched claim or finish of each id in this process, which the next one waits for. */
  private readonly busyIds = new Map<string, Promise<unknown>>();
  private readonly finishes = new CoalescingBatcher<ClaimedFinish, FinishOutcome>(
    (batch) => this.finishMany(batch),
    FINISH_BATCHING,
  );
  /**
   * Claims (id → claimed version) whose attempt row is stored but whose transition failed: the
   * worker retries the finish, and the retry must not record the same provider call again (a
   * finish that cannot be written would otherwise add a row per retry). Held only until the
   * finish completes; a process that dies holding one leaves lease recovery to read the row.
   */
  private readonly attemptsStored = new Map<string, number>();
  private readonly claims = new CoalescingBatcher<ExpectedClaim, NotificationRecord | null>(
    (requests) => this.claimMany(requests),
    CLAIM_BATCHING,
  );
  private readonly reads = new CoalescingBatcher<string, NotificationRecord | null>(
    (ids) => this.findMany(ids),
    FIND_BATCHING,
  );

  constructor(
    private readonly dataSource: DataSource,
    options: TypeormNotificationStoreOptions = {},
  ) {
    this.closeDataSource = options.closeDataSource ?? true;
    this.dialect = options.dialect ?? MYSQL_DIALECT;
  }

  async insertOrFind(record: NewNotification, now: Date): Promise<InsertResult> {
    const outcome = await this.inserts.load({ record, now });
    if ('error' in outcome) throw outcome.error;
    return outcome;
  }

  /**
   * Concurrent triggers' rows as one INSERT. When it fails (a repeated dedupe key, a deadlock, an
   * outage) nothing of it was stored, and each row goes again on its own, so every trigger gets
   * its own answer: inserted, deduplicated, or its own error.
   */
  private async insertMany(batch: readonly PendingInsert[]): Promise<InsertOutcome[]> {
    if (batch.length > 1) {
      try {
        await execute(
          this.dataSource,
          insertSql(batch.length),
          batch.flatMap(({ record, now }) => insertParams(record, now)),
        );
        return batch.map(({ record, now }) => ({
          record: insertedRecord(record, now),
          deduplicated: false,
        }));
      } catch {
        // Fall through: one by one.
      }
    }
    return Promise.all(
      batch.map(({ record, now }) => this.insertOne(record, now).catch((error: unknown) => ({ error }))),
    );
  }

  private async insertOne(record: NewNotification, now: Date): Promise<InsertResult> {
    const params = insertParams(record, now);
    for (let tries = 1; ; tries++) {
      try {
        await execute(this.dataSource, INSERT_SQL, params);
        // Built from the input rather than re-read: DATETIME(3) (SQLite: millisecond text) keeps the
        // milliseconds and strict mode rejects rather than truncates, so the row equals this.
        return { record: insertedRecord(record, now), deduplicated: false };
      } catch (error) {
        if (this.dialect.isRetryable(error) && tries < 3) continue;
        if (this.dialect.isUnstorableValue(error)) {
          throw new UnstorableValueError(`the notification cannot be stored: ${(error as Error).message}`, {
            cause: error,
          });
        }
        if (!this.dialect.isDuplicateKey(error)) throw error;
        const rows = await select(this.dataSource, SELECT_BY_DEDUPE, [
          record.userId,
          record.channel,
          record.dedupeKey,
        ]);
        // No row for the key means the id itself collided under another key: a caller bug.
        if (rows[0] === undefined) throw error;
        const found = mapNotificationRow(rows[0]);
        // Our own id: an earlier try of this very row committed although its answer was lost
        // (a batch cut off mid-commit), so this is the insert, not a repeat of another trigger.
        return { record: found, deduplicated: found.id !== record.id };
      }
    }
  }

  findById(id: string): Promise<NotificationRecord | null> {
    return this.reads.load(id);
  }

  private async findMany(ids: readonly string[]): Promise<Array<NotificationRecord | null>> {
    const rows = await select(this.dataSource, selectByIds(ids.length), [...ids]);
    const byId = new Map(
      rows.map((row) => mapNotificationRow(row)).map((record) => [idKey(record.id), record]),
    );
    return ids.map((id) => byId.get(idKey(id)) ?? null);
  }

  async listAttempts(notificationId: string): Promise<AttemptRecord[]> {
    const rows = await select(
      this.dataSource,
      `SELECT ${ATTEMPT_READ_COLUMNS} FROM notification_attempts WHERE notification_id = ? ORDER BY attempt_no, id`,
      [notificationId],
    );
    return rows.map(mapAttemptRow);
  }

  async list(query: ListQuery): Promise<ListPage> {
    const pageSize = pageSizeOf(query.limit);
    const statement = buildListStatement(query, pageSize);
    const rows = await select(this.dataSource, statement.sql, statement.params);
    const records = rows.slice(0, pageSize).map(mapNotificationRow);
    const last = records[records.length - 1];
    const nextCursor =
      rows.length > pageSize && last !== undefined
        ? encodeListCursor({ createdAt: last.createdAt, id: last.id })
        : undefined;
    return { records, nextCursor };
  }

  async claim(id: string, request: ClaimRequest): Promise<NotificationRecord | null> {
    const expected = request.expected;
    if (expected) {
      if (expected.id !== id) throw new Error(`expected record is ${expected.id}, not ${id}`);
      return this.onePerId(id, () => this.claims.load({ ...request, expected }));
    }
    const claimed = await execute(this.dataSource, CLAIM_BY_ID_SQL, [
      request.leaseOwner,
      request.leaseExpiresAt,
      request.now,
      id,
      request.now,
    ]);
    if (claimed === 0) return null;
    const record = await this.findById(id);
    // Between the UPDATE and this read only a lease recovery could move the row; then we lost it.
    return record?.status === STATUS_MOVES.claim.to[0] && record.leaseOwner === request.leaseOwner
      ? record
      : null;
  }

  /**
   * Concurrent compare-and-set claims as one UPDATE. Every claim in it takes the latest lease of the
   * batch (they differ by the milliseconds a claim waited to join it), so the claimed rows are
   * built in memory as usual. When fewer rows matched than were asked for, the rows are read back
   * to tell which claims won: ours are `sending`, one version up, under our lease.
   */
  private async claimMany(requests: readonly ExpectedClaim[]): Promise<Array<NotificationRecord | null>> {
    const latest = requests.reduce((a, b) => (b.now > a.now ? b : a));
    const lease: ClaimRequest = {
      now: latest.now,
      leaseOwner: latest.leaseOwner,
      leaseExpiresAt: requests.reduce((a, b) => (b.leaseExpiresAt > a.leaseExpiresAt ? b : a)).leaseExpiresAt,
    };
    if (requests.some((request) => request.leaseOwner !== lease.leaseOwner)) {
      // One worker per store in practice; mixed owners still get correct, separate claims.
      return Promise.all(
        requests.map((request) => this.claimMany([request]).then((rows) => rows[0] ?? null)),
      );
    }
    const won = await execute(
      this.dataSource,
      `${CLAIM_SQL} AND (${requests.map(() => '(id = ? AND version = ?)').join(' OR ')})`,
      [
        lease.leaseOwner,
        lease.leaseExpiresAt,
        lease.now,
        lease.now,
        ...requests.flatMap((request) => [request.expected.id, request.expected.version]),
      ],
    );
    if (won === requests.length) return requests.map((request) => claimedFrom(request.expected, lease));
    if (won === 0) return requests.map(() => null);
    // Ids are unique within a batch (onePerId).
    const current = await this.findMany(requests.map((request) => request.expected.id));
    return requests.map((request, i) => {
      const row = current[i];
      const ours =
        row?.status === STATUS_MOVES.claim.to[0] &&
        row.version === request.expected.version + 1 &&
        row.leaseOwner === lease.leaseOwner;
      return ours ? claimedFrom(request.expected, lease) : null;
    });
  }

  async finish(
    id: string,
    version: number,
    update: FinishUpdate,
    attempt: AttemptRecord,
    claimed?: NotificationRecord,
  ): Promise<NotificationRecord | null> {
    if (attempt.notificationId !== id) {
      throw new Error(`attempt belongs to ${attempt.notificationId}, not ${id}`);
    }
    if (claimed && claimed.version === version && claimed.id === id) {
      const outcome = await this.onePerId(id, () => this.finishes.load({ claimed, update, attempt }));
      if (outcome !== null && 'error' in outcome) throw outcome.error;
      return outcome;
    }
    const values = finishValues(update);
    // Two autocommit statements instead of a transaction (BEGIN/COMMIT are round trips on the
    // hottest path, BENCHMARKS.md). The attempt goes first under the same compare-and-set; the
    // UPDATE then decides. A worker that dies between the two leaves an attempt row on a `sending`
    // row, which lease recovery reads (a recorded success is never sent again). A retry of a finish
    // whose UPDATE failed skips the attempt it already stored (attemptsStored): no NOT EXISTS guard,
    // because MariaDB fails concurrent INSERT … SELECT that reads its own target table (error 1467).
    if (this.attemptsStored.get(id) !== version) {
      await execute(this.dataSource, INSERT_FINISH_ATTEMPT_SQL, [...attemptParams(attempt), id, version]);
      this.attemptsStored.set(id, version);
    }
    const moved = await execute(this.dataSource, FINISH_SQL, [
      update.status,
      update.spendsAttempt ? 1 : 0,
      update.nextAttemptAt,
      values.lastErrorCode,
      values.lastErrorMessage,
      values.providerMessageId,
      update.sentAt,
      update.now,
      update.fallbackUsed ? 1 : 0,
      id,
      version,
    ]);
    this.attemptsStored.delete(id);
    if (moved === 0) return null;
    if (claimed && claimed.version === version) return finishedFrom(claimed, update, values);
    return this.findById(id);
  }

  /**
   * Concurrent finishes as two statements in all: their attempt rows, then their transitions, each
   * row under its own compare-and-set exactly as a lone finish. When fewer rows moved than were
   * asked for, the rows are read back: a finish took effect when its row holds what it wrote.
   */
  private async finishMany(batch: readonly ClaimedFinish[]): Promise<FinishOutcome[]> {
    try {
      const unrecorded = batch.filter(
        ({ claimed }) => this.attemptsStored.get(claimed.id) !== claimed.version,
      );
      if (unrecorded.length > 0) {
        await execute(
          this.dataSource,
          insertFinishAttemptsSql(unrecorded.length),
          unrecorded.flatMap(({ claimed, attempt }) => [...attemptParams(attempt), claimed.version]),
        );
        for (const { claimed } of unrecorded) this.attemptsStored.set(claimed.id, claimed.version);
      }
      const finished = await this.transitionMany(batch);
      for (const { claimed } of batch) this.attemptsStored.delete(claimed.id);
      return finished;
    } catch (error) {
      if (batch.length === 1) return [{ error }];
      // One row's unwritable value must not fail its neighbours: each goes again alone, and an
      // attempt row already stored is not written twice.
      return Promise.all(batch.map((finish) => this.finishMany([finish]).then((outcomes) => outcomes[0]!)));
    }
  }

  /** The transitions of a batch of finishes whose attempt rows are stored. */
  private async transitionMany(batch: readonly ClaimedFinish[]): Promise<Array<NotificationRecord | null>> {
    const values = batch.map(({ update }) => finishValues(update));
    const perRow = (value: (finish: ClaimedFinish, i: number) => unknown) =>
      batch.flatMap((finish, i) => [finish.claimed.id, value(finish, i)]);
    const moved = await execute(this.dataSource, finishManySql(batch.length), [
      ...perRow(({ update }) => update.status),
      ...perRow(({ update }) => update.nextAttemptAt),
      ...perRow((_, i) => values[i]!.lastErrorCode),
      ...perRow((_, i) => values[i]!.lastErrorMessage),
      ...perRow((_, i) => values[i]!.providerMessageId),
      ...perRow(({ update }) => update.sentAt),
      ...perRow(({ update }) => update.now),
      ...perRow(({ claimed, update }) => (claimed.fallbackUsed || update.fallbackUsed ? 1 : 0)),
      ...perRow(({ update }) => (update.spendsAttempt ? 1 : 0)),
      ...batch.flatMap(({ claimed }) => [claimed.id, claimed.version]),
    ]);
    const finished = batch.map(({ claimed, update }, i) => finishedFrom(claimed, update, values[i]!));
    if (moved === batch.length) return finished;
    const current = await this.findMany(batch.map(({ claimed }) => claimed.id));
    return finished.map((record, i) => {
      const row = current[i];
      const wrote =
        row?.version === record.version &&
        row.status === record.status &&
        row.updatedAt.getTime() === record.updatedAt.getTime() &&
        row.attemptCount === record.attemptCount;
      return wrote ? record : null;
    });
  }

  /**
   * Runs batched work on `id` after the previous batched work on it has settled. A batch that moved
   * fewer rows than it asked for reads them back, and "the row holds what this batch wrote" only
   * identifies one write when no other write of this process on that row is in the same batch.
   */
  private onePerId<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.busyIds.get(id) ?? Promise.resolve();
    const result = previous.then(work);
    const settled = result.catch(() => undefined);
    this.busyIds.set(id, settled);
    void settled.then(() => {
      if (this.busyIds.get(id) === settled) this.busyIds.delete(id);
    });
    return result;
  }

  async redrive(id: string, now: Date, maxAttempts: number): Promise<NotificationRecord | null> {
    return this.updateThenRead(REDRIVE_SQL, [maxAttempts, now, now, id], id);
  }

  async cancel(id: string, now: Date): Promise<NotificationRecord | null> {
    return this.updateThenRead(CANCEL_SQL, [now, id], id);
  }

  acknowledge(ids: readonly string[], by: string, at: Date): Promise<string[]> {
    return acknowledgeRecords(this.dataSource, ids, by, at);
  }

  markRecalled(id: string, at: Date): Promise<boolean> {
    return markRecordRecalled(this.dataSource, id, at);
  }

  addAttempt(attempt: AttemptRecord): Promise<void> {
    return insertLifecycleAttempt(this.dataSource, attempt);
  }

  async ping(): Promise<void> {
    await select(this.dataSource, 'SELECT 1', []);
  }

  async close(): Promise<void> {
    if (this.closeDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async updateThenRead(
    sql: string,
    params: unknown[],
    id: string,
  ): Promise<NotificationRecord | null> {
    const moved = await execute(this.dataSource, sql, params);
    return moved === 0 ? null : this.findById(id);
  }
}
