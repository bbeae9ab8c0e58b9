import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationRecord } from '../../src/core/notification/notification-record.js';
import type { ListQuery, NotificationStore } from '../../src/core/notification/notification-store.js';
import {
  T0,
  at,
  attemptFor,
  finishUpdate,
  newNotification,
  uniqueUser,
} from '../helpers/notification-fixtures.js';

/** What a factory builds for each test: an open store (schema applied) and how to dispose of it. */
export interface NotificationStoreFixture {
  readonly store: NotificationStore;
  cleanup(): Promise<void>;
}

const LEASE = { leaseOwner: 'worker-a', leaseExpiresAt: at(60_000) };

/** Every record of a listing, following cursors page by page. */
async function listAll(
  store: NotificationStore,
  query: Omit<ListQuery, 'cursor'>,
): Promise<NotificationRecord[][]> {
  const pages: NotificationRecord[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ ...query, cursor });
    pages.push(page.records);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

/**
 * The suite every NotificationStore passes (docs/architecture.md §10). Tests may share one database: each works on
 * its own user ids, and the factory may return a store over an already-migrated schema.
 */
export function describeNotificationStoreContract(
  name: string,
  factory: () => Promise<NotificationStoreFixture>,
): void {
  describe(`NotificationStore contract: ${name}`, () => {
    let fixture: NotificationStoreFixture;
    let store: NotificationStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    /** A record inserted and claimed at T0 (call 1, status sending). */
    async function claimed(overrides = {}): Promise<NotificationRecord> {
      const { record } = await store.insertOrFind(newNotification(overrides), T0);
      const claim = await store.claim(record.id, { now: T0, ...LEASE });
      expect(claim).not.toBeNull();
      return claim!;
    }

    /** A record driven to `status` through the real transitions. */
    async function inStatus(status: 'failed' | 'dead' | 'sent'): Promise<NotificationRecord> {
      const record = await claimed();
      const done = await store.finish(
        record.id,
        record.version,
        finishUpdate(status, at(1)),
        attemptFor(record),
      );
      expect(done?.status).toBe(status);
      return done!;
    }

    it('inserts a record and finds it by id with every field intact', async () => {
      const input = newNotification({ critical: true, fallbackUsed: true, metadata: { a: '1', 'b.c': 'ü' } });
      const { record, deduplicated } = await store.insertOrFind(input, T0);
      expect(deduplicated).toBe(false);
      const expected = {
        ...input,
        attemptCount: 0,
        callCount: 0,
        leaseOwner: null,
        leaseExpiresAt: null,
        providerMessageId: null,
        sentAt: null,
        createdAt: T0,
        updatedAt: T0,
      };
      expect(record).toMatchObject(expected);
      const found = await store.findById(input.id);
      expect(found).toMatchObject(expected);
      expect(found?.version).toBe(record.version);
      expect(await store.findById('00000000-0000-7000-8000-000000000000')).toBeNull();
    });

    it('stores a scheduled record with its scheduled time', async () => {
      const input = newNotification({
        status: 'scheduled',
        scheduledAt: at(3_600_000),
        nextAttemptAt: at(3_600_000),
      });
      await store.insertOrFind(input, T0);
      expect(await store.findById(input.id)).toMatchObject({
        status: 'scheduled',
        scheduledAt: at(3_600_000),
      });
    });

    it('returns the existing record, deduplicated, for the same (user, channel, dedupe key)', async () => {
      const first = newNotification();
      await store.insertOrFind(first, T0);
      const repeat = await store.insertOrFind(
        { ...newNotification(), userId: first.userId, messageText: 'other' },
        at(5),
      );
      expect(repeat.deduplicated).toBe(true);
      expect(repeat.record).toMatchObject({ id: first.id, messageText: first.messageText, createdAt: T0 });
      const otherChannel = await store.insertOrFind(
        newNotification({ userId: first.userId, channel: 'feishu' }),
        T0,
      );
      const otherKey = await store.insertOrFind(
        newNotification({ userId: first.userId, dedupeKey: 'Dedupe-1' }),
        T0,
      );
      expect(otherChannel.deduplicated).toBe(false);
      // Dedupe keys compare exactly: case differs, so this is a different notification.
      expect(otherKey.deduplicated).toBe(false);
    });

    it('lets the unique key decide between 20 concurrent identical inserts', async () => {
      const userId = uniqueUser();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.insertOrFind(newNotification({ userId }), T0)),
      );
      expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
      expect(results.filter((r) => r.deduplicated)).toHaveLength(19);
      expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
      expect((await store.list({ userId, limit: 50 })).records).toHaveLength(1);
    });

    it('stores 40 concurrent new records, every field intact', async () => {
      const userId = uniqueUser();
      const inputs = Array.from({ length: 40 }, (_, i) =>
        newNotification({ userId, dedupeKey: `k${i}`, messageText: `text ${i}`, metadata: { i: String(i) } }),
      );
      const results = await Promise.all(
        inputs.map((input) => store.insertOrFind(input, at(inputs.indexOf(input)))),
      );
      expect(results.map((result) => result.deduplicated)).toEqual(inputs.map(() => false));
      for (const [i, input] of inputs.entries()) {
        expect(results[i]!.record).toMatchObject({ ...input, createdAt: at(i), version: 1 });
        expect(await store.findById(input.id)).toMatchObject({ ...input, createdAt: at(i), version: 1 });
      }
    });

    it('answers each of many concurrent inserts on its own: new, repeat, or its own error', async () => {
      const userId = uniqueUser();
      const existing = newNotification({ userId, dedupeKey: 'existing' });
      await store.insertOrFind(existing, T0);
      const fresh = Array.from({ length: 30 }, (_, i) => newNotification({ userId, dedupeKey: `k${i}` }));
      const repeat = newNotification({ userId, dedupeKey: 'existing' });
      // The same id under another key: the database refuses it, and only this insert may fail.
      const collidingId = newNotification({ userId, dedupeKey: 'collide', id: existing.id });
      const results = await Promise.allSettled(
        [...fresh.slice(0, 15), repeat, collidingId, ...fresh.slice(15)].map((input) =>
          store.insertOrFind(input, T0),
        ),
      );
      const answers = results.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
      expect(results[16]!.status).toBe('rejected');
      expect(answers[15]).toMatchObject({ deduplicated: true, record: { id: existing.id } });
      const inserted = [...answers.slice(0, 15), ...answers.slice(17)];
      expect(inserted.map((answer) => answer?.deduplicated)).toEqual(fresh.map(() => false));
      expect(inserted.map((answer) => answer?.record.id)).toEqual(fresh.map((input) => input.id));
      const stored = (await listAll(store, { userId, limit: 100 })).flat();
      expect(stored.map((record) => record.id).sort()).toEqual(
        [existing.id, ...fresh.map((input) => input.id)].sort(),
      );
      for (const input of fresh) expect(await store.findById(input.id)).toMatchObject(input);
    });

    it('claims only when due, taking the lease and counting the call', async () => {
      const { record } = await store.insertOrFind(newNotification({ nextAttemptAt: at(10_000) }), T0);
      expect(await store.claim(record.id, { now: at(9_999), ...LEASE })).toBeNull();
      const claim = await store.claim(record.id, { now: at(10_000), ...LEASE });
      expect(claim).toMatchObject({
        status: 'sending',
        leaseOwner: 'worker-a',
        leaseExpiresAt: LEASE.leaseExpiresAt,
        callCount: 1,
        attemptCount: 0,
        version: record.version + 1,
        updatedAt: at(10_000),
      });
      expect(await store.claim(record.id, { now: at(20_000), ...LEASE })).toBeNull();
      expect(await store.claim('00000000-0000-7000-8000-000000000000', { now: T0, ...LEASE })).toBeNull();
    });

    it('claims failed and due scheduled records, never early, cancelled or terminal ones', async () => {
      const failed = await inStatus('failed');
      expect(await store.claim(failed.id, { now: at(2), ...LEASE })).toMatchObject({
        status: 'sending',
        callCount: 2,
      });
      const sent = await inStatus('sent');
      expect(await store.claim(sent.id, { now: at(2), ...LEASE })).toBeNull();
      // Quiet hours: a scheduled record is claimable once its window has ended, not before.
      const scheduled = await store.insertOrFind(
        newNotification({ status: 'scheduled', nextAttemptAt: at(10), scheduledAt: at(10) }),
        T0,
      );
      expect(await store.claim(scheduled.record.id, { now: at(2), ...LEASE })).toBeNull();
      expect(await store.claim(scheduled.record.id, { now: at(10), ...LEASE })).toMatchObject({
        status: 'sending',
      });
      const pending = await store.insertOrFind(newNotification(), T0);
      await store.cancel(pending.record.id, T0);
      expect(await store.claim(pending.record.id, { now: at(2), ...LEASE })).toBeNull();
    });

    it('claims with an expected version only when the row still has it, building the same record', async () => {
      const { record } = await store.insertOrFind(newNotification(), T0);
      const stale = { ...record, version: record.version - 1 };
      expect(await store.claim(record.id, { now: T0, ...LEASE, expected: stale })).toBeNull();
      const claimed = await store.claim(record.id, { now: T0, ...LEASE, expected: record });
      expect(claimed).toEqual(await store.findById(record.id));
      const finished = await store.finish(
        record.id,
        claimed!.version,
        finishUpdate('sent', at(5)),
        attemptFor(claimed!),
        claimed!,
      );
      // Built in memory from the claimed row, it must equal what the database now holds.
      expect(finished).toEqual(await store.findById(record.id));
    });

    it('decides many concurrent expected-version claims one by one, each equal to the row it wrote', async () => {
      const userId = uniqueUser();
      const due = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.insertOrFind(newNotification({ userId, dedupeKey: `due${i}` }), T0).then((r) => r.record),
        ),
      );
      const moved = (await store.insertOrFind(newNotification({ userId, dedupeKey: 'moved' }), T0)).record;
      await store.cancel(moved.id, T0);
      const early = (
        await store.insertOrFind(
          newNotification({ userId, dedupeKey: 'early', nextAttemptAt: at(60_000) }),
          T0,
        )
      ).record;
      const contested = due[0]!;
      // Claims at slightly different times, like deliveries that joined a batch while it waited.
      const requests = [
        ...due.map((record, i) => ({ record, now: at(i) })),
        ...Array.from({ length: 5 }, (_, i) => ({ record: contested, now: at(100 + i) })),
        { record: moved, now: at(1) },
        { record: early, now: at(1) },
      ];
      const results = await Promise.all(
        requests.map(({ record, now }) =>
          store.claim(record.id, {
            now,
            leaseOwner: 'worker-a',
            leaseExpiresAt: new Date(now.getTime() + 60_000),
            expected: record,
          }),
        ),
      );
      // The contested record is won exactly once; the moved and the early one not at all.
      expect(results.filter((claimed) => claimed?.id === contested.id)).toHaveLength(1);
      expect(results.slice(-2)).toEqual([null, null]);
      for (const record of due) {
        const won = results.filter((claimed) => claimed?.id === record.id);
        expect(won).toHaveLength(1);
        expect(won[0]).toEqual(await store.findById(record.id));
        expect(won[0]).toMatchObject({ status: 'sending', version: record.version + 1, callCount: 1 });
      }
    });

    it('finishes many claimed records concurrently, each row and attempt exactly as written', async () => {
      const userId = uniqueUser();
      const records = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          store.insertOrFind(newNotification({ userId, dedupeKey: `f${i}` }), T0).then((r) => r.record),
        ),
      );
      const claimedRecords = await Promise.all(
        records.map((record) => store.claim(record.id, { now: T0, ...LEASE, expected: record })),
      );
      const statuses = ['sent', 'failed', 'dead', 'skipped'] as const;
      const finishes = claimedRecords.map((claimed, i) => {
        const status = statuses[i % statuses.length]!;
        return {
          claimed: claimed!,
          update: finishUpdate(status, at(10 + i), {
            spendsAttempt: i % 5 !== 0,
            providerMessageId: status === 'sent' ? `om_${i}` : null,
            nextAttemptAt: at(1000 + i),
          }),
          attempt: attemptFor(claimed!, {
            outcome: status === 'sent' ? 'success' : 'temporary_fail',
            errorCode: status === 'sent' ? null : `code_${i}`,
            durationMs: i,
            possibleDuplicate: i % 7 === 0,
          }),
        };
      });
      // One of them already moved on (finished alone): its batched finish must write nothing.
      const gone = finishes[3]!;
      await store.finish(
        gone.claimed.id,
        gone.claimed.version,
        finishUpdate('sent', at(5)),
        attemptFor(gone.claimed),
      );
      const results = await Promise.all(
        finishes.map(({ claimed, update, attempt }) =>
          store.finish(claimed.id, claimed.version, update, attempt, claimed),
        ),
      );
      expect(results[3]).toBeNull();
      expect(await store.listAttempts(gone.claimed.id)).toHaveLength(1);
      for (const [i, { claimed, update, attempt }] of finishes.entries()) {
        if (i === 3) continue;
        expect(results[i]).toEqual(await store.findById(claimed.id));
        expect(results[i]).toMatchObject({
          status: update.status,
          attemptCount: i % 5 !== 0 ? 1 : 0,
          providerMessageId: update.providerMessageId,
          nextAttemptAt: update.nextAttemptAt,
          leaseOwner: null,
          version: claimed.version + 1,
          updatedAt: update.now,
        });
        const attempts = await store.listAttempts(claimed.id);
        expect(attempts).toHaveLength(1);
        expect(attempts[0]).toMatchObject({
          attemptNo: attempt.attemptNo,
          outcome: attempt.outcome,
          errorCode: attempt.errorCode,
          durationMs: i,
          possibleDuplicate: attempt.possibleDuplicate,
          requestPayload: attempt.requestPayload,
        });
      }
    });

    it('records one attempt row however often the same finish is repeated', async () => {
      const { record } = await store.insertOrFind(newNotification(), T0);
      const claimed = (await store.claim(record.id, { now: T0, ...LEASE }))!;
      const args = [record.id, claimed.version, finishUpdate('sent', at(5)), attemptFor(claimed)] as const;
      expect(await store.finish(...args)).toMatchObject({ status: 'sent' });
      // A worker retrying after a lost answer: the state already moved, nothing more is written.
      expect(await store.finish(...args)).toBeNull();
      expect(await store.listAttempts(record.id)).toHaveLength(1);
    });

    it('lets exactly one of two concurrent claims win', async () => {
      const { record } = await store.insertOrFind(newNotification(), T0);
      const claims = await Promise.all([
        store.claim(record.id, { now: T0, leaseOwner: 'worker-a', leaseExpiresAt: at(60_000) }),
        store.claim(record.id, { now: T0, leaseOwner: 'worker-b', leaseExpiresAt: at(60_000) }),
      ]);
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      expect((await store.findById(record.id))?.callCount).toBe(1);
    });

    it('writes nothing when finishing with a stale version', async () => {
      const record = await claimed();
      const stale = await store.finish(
        record.id,
        record.version - 1,
        finishUpdate('sent', at(1)),
        attemptFor(record),
      );
      expect(stale).toBeNull();
      expect(await store.listAttempts(record.id)).toEqual([]);
      expect(await store.findById(record.id)).toMatchObject({ status: 'sending', version: record.version });
    });

    it('finishes as sent once, recording the attempt and releasing the lease', async () => {
      const record = await claimed();
      const sent = await store.finish(
        record.id,
        record.version,
        finishUpdate('sent', at(5)),
        attemptFor(record),
      );
      expect(sent).toMatchObject({
        status: 'sent',
        sentAt: at(5),
        providerMessageId: 'om_123',
        attemptCount: 1,
        leaseOwner: null,
        leaseExpiresAt: null,
        version: record.version + 1,
        updatedAt: at(5),
      });
      expect(await store.findById(record.id)).toEqual(sent);
      const again = await store.finish(
        record.id,
        record.version,
        finishUpdate('dead', at(6)),
        attemptFor(record),
      );
      expect(again).toBeNull();
      expect(await store.listAttempts(record.id)).toHaveLength(1);
    });

    it('spends the attempt budget only when told to, across failed, rate-limited and dead calls', async () => {
      const first = await claimed();
      const failed = await store.finish(
        first.id,
        first.version,
        finishUpdate('failed', at(1), { nextAttemptAt: at(1_000) }),
        attemptFor(first, { outcome: 'temporary_fail', errorCode: 'provider_5xx' }),
      );
      expect(failed).toMatchObject({ status: 'failed', attemptCount: 1, nextAttemptAt: at(1_000) });
      expect(failed).toMatchObject({
        lastErrorCode: 'provider_5xx',
        lastErrorMessage: 'upstream answered 503',
      });
      expect(await store.claim(first.id, { now: at(999), ...LEASE })).toBeNull();
      const second = (await store.claim(first.id, { now: at(1_000), ...LEASE }))!;
      const limited = await store.finish(
        first.id,
        second.version,
        finishUpdate('failed', at(1_001), { spendsAttempt: false, lastErrorCode: 'provider_rate_limited' }),
        attemptFor(second, { outcome: 'temporary_fail', errorCode: 'provider_rate_limited' }),
      );
      expect(limited).toMatchObject({ status: 'failed', attemptCount: 1, callCount: 2 });
      const third = (await store.claim(first.id, { now: at(2_000), ...LEASE }))!;
      const dead = await store.finish(
        first.id,
        third.version,
        finishUpdate('dead', at(2_001), { lastErrorCode: 'payload_invalid' }),
        attemptFor(third, { outcome: 'permanent_fail', errorCode: 'payload_invalid' }),
      );
      expect(dead).toMatchObject({
        status: 'dead',
        attemptCount: 2,
        callCount: 3,
        lastErrorCode: 'payload_invalid',
      });
    });

    it('lists attempts in call order with payloads and flags intact', async () => {
      const first = await claimed();
      const request = { msg_type: 'text', content: { text: 'hi' }, list: [1, 2] };
      await store.finish(
        first.id,
        first.version,
        finishUpdate('failed', at(1)),
        attemptFor(first, {
          outcome: 'unknown',
          possibleDuplicate: true,
          requestPayload: request,
          responsePayload: null,
        }),
      );
      const second = (await store.claim(first.id, { now: at(2), ...LEASE }))!;
      await store.finish(
        first.id,
        second.version,
        finishUpdate('skipped', at(3)),
        attemptFor(second, { outcome: 'skipped' }),
      );
      const attempts = await store.listAttempts(first.id);
      expect(attempts.map((a) => a.attemptNo)).toEqual([1, 2]);
      expect(attempts[0]).toEqual({
        ...attemptFor(first, { outcome: 'unknown', possibleDuplicate: true, requestPayload: request }),
        responsePayload: null,
        kind: 'send',
      });
      expect(attempts[1]).toMatchObject({ outcome: 'skipped', possibleDuplicate: false, durationMs: 42 });
      expect(await store.listAttempts('00000000-0000-7000-8000-000000000000')).toEqual([]);
    });

    it('redrives dead and failed records with a fresh budget, and nothing else', async () => {
      const dead = await inStatus('dead');
      const redriven = await store.redrive(dead.id, at(50), 3);
      expect(redriven).toMatchObject({
        status: 'pending',
        attemptCount: 0,
        maxAttempts: 3,
        nextAttemptAt: at(50),
        lastErrorCode: 'provider_5xx',
        version: dead.version + 1,
        updatedAt: at(50),
      });
      expect(await store.claim(dead.id, { now: at(50), ...LEASE })).toMatchObject({ callCount: 2 });
      const failed = await inStatus('failed');
      expect(await store.redrive(failed.id, at(50), 6)).toMatchObject({ status: 'pending' });
      const sent = await inStatus('sent');
      const sending = await claimed();
      const pending = (await store.insertOrFind(newNotification(), T0)).record;
      for (const record of [sent, sending, pending]) {
        expect(await store.redrive(record.id, at(50), 6)).toBeNull();
        expect((await store.findById(record.id))?.version).toBe(record.version);
      }
    });

    it('cancels pending, scheduled and failed records, and nothing else', async () => {
      const pending = (await store.insertOrFind(newNotification(), T0)).record;
      const scheduled = (await store.insertOrFind(newNotification({ status: 'scheduled' }), T0)).record;
      const failed = await inStatus('failed');
      for (const record of [pending, scheduled, failed]) {
        const cancelled = await store.cancel(record.id, at(9));
        expect(cancelled).toMatchObject({
          status: 'cancelled',
          version: record.version + 1,
          updatedAt: at(9),
        });
        expect(await store.cancel(record.id, at(10))).toBeNull();
        expect(await store.redrive(record.id, at(10), 6)).toBeNull();
      }
      for (const record of [await claimed(), await inStatus('sent'), await inStatus('dead')]) {
        expect(await store.cancel(record.id, at(9))).toBeNull();
      }
      expect(await store.cancel('00000000-0000-7000-8000-000000000000', at(9))).toBeNull();
    });

    it('filters listings by user, statuses, channel, trigger and a half-open time range', async () => {
      const userId = uniqueUser();
      const make = (ms: number, extra = {}) =>
        store.insertOrFind(newNotification({ userId, dedupeKey: `k-${ms}`, ...extra }), at(ms));
      const a = (await make(0, { channel: 'feishu', triggerId: 't-a' })).record;
      const b = (await make(1_000, { triggerId: 't-b' })).record;
      const c = (await make(2_000, { status: 'scheduled' })).record;
      await make(3_000, {});
      await store.insertOrFind(newNotification({ channel: 'feishu', triggerId: 't-a' }), at(0));
      const ids = async (query: Omit<ListQuery, 'limit'>) =>
        (await store.list({ userId, limit: 50, ...query })).records.map((r) => r.id);
      expect(await ids({})).toHaveLength(4);
      expect(await ids({ channel: 'feishu' })).toEqual([a.id]);
      expect(await ids({ triggerId: 't-b' })).toEqual([b.id]);
      expect(await ids({ statuses: ['scheduled'] })).toEqual([c.id]);
      expect(await ids({ statuses: ['scheduled', 'sent'] })).toEqual([c.id]);
      expect(await ids({ statuses: [] })).toHaveLength(4);
      expect(await ids({ createdAfter: at(1_000), createdBefore: at(3_000) })).toEqual([c.id, b.id]);
      expect(
        (await store.list({ channel: 'feishu', triggerId: 't-a', limit: 50 })).records.length,
      ).toBeGreaterThanOrEqual(2);
    });

    it('pages newest first across pages with no duplicates or gaps, ties broken by id', async () => {
      const userId = uniqueUser();
      const inserted: NotificationRecord[] = [];
      for (let i = 0; i < 11; i++) {
        // Pairs share created_at so the keyset must fall back to the id.
        const result = await store.insertOrFind(
          newNotification({ userId, dedupeKey: `p-${i}` }),
          at(Math.floor(i / 2) * 1_000),
        );
        inserted.push(result.record);
      }
      const expected = [...inserted]
        .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1))
        .map((r) => r.id);
      const pages = await listAll(store, { userId, limit: 4 });
      expect(pages.map((p) => p.length)).toEqual([4, 4, 3]);
      expect(pages.flat().map((r) => r.id)).toEqual(expected);
      const exact = await listAll(store, { userId, limit: 11 });
      expect(exact).toHaveLength(1);
      const filtered = await listAll(store, { userId, limit: 2, createdBefore: at(3_000) });
      expect(filtered.flat().map((r) => r.id)).toEqual(expected.slice(5));
    });

    it('rejects a cursor it did not issue and treats an empty cursor as the first page', async () => {
      const userId = uniqueUser();
      await store.insertOrFind(newNotification({ userId }), T0);
      const bogus = ['not a cursor!', Buffer.from('{"a":1}').toString('base64url'), 'AAAA'];
      for (const cursor of bogus) {
        await expect(store.list({ userId, limit: 5, cursor })).rejects.toMatchObject({
          name: 'InvalidCursorError',
        });
      }
      expect((await store.list({ userId, limit: 5, cursor: '' })).records).toHaveLength(1);
    });

    it('acknowledges once (the first wins), keeps the status and version, and filters listings on it', async () => {
      const sent = await inStatus('sent');
      const other = (
        await store.insertOrFind(newNotification({ userId: sent.userId, dedupeKey: 'other' }), T0)
      ).record;
      expect(await store.acknowledge([sent.id], 'alice', at(10))).toEqual([sent.id]);
      expect(await store.acknowledge([sent.id, other.id], 'bob', at(20))).toEqual([other.id]);
      const found = await store.findById(sent.id);
      expect(found).toMatchObject({
        status: 'sent',
        version: sent.version,
        acknowledgedBy: 'alice',
        acknowledgedAt: at(10),
      });
      await store.cancel(other.id, at(30));
      const acked = await store.list({ userId: sent.userId, acknowledged: true, limit: 10 });
      expect(acked.records.map((r) => r.id).sort()).toEqual([sent.id, other.id].sort());
      const fresh = (
        await store.insertOrFind(newNotification({ userId: sent.userId, dedupeKey: 'fresh' }), T0)
      ).record;
      const open = await store.list({ userId: sent.userId, acknowledged: false, limit: 10 });
      expect(open.records.map((r) => r.id)).toEqual([fresh.id]);
    });

    it('marks a sent record recalled once, and nothing that was not sent', async () => {
      const sent = await inStatus('sent');
      expect(await store.markRecalled(sent.id, at(10))).toBe(true);
      expect(await store.markRecalled(sent.id, at(20))).toBe(false);
      expect(await store.findById(sent.id)).toMatchObject({ status: 'sent', recalledAt: at(10) });
      const dead = await inStatus('dead');
      expect(await store.markRecalled(dead.id, at(10))).toBe(false);
    });

    it('adds lifecycle attempts after the send attempts, with their kind', async () => {
      const sent = await inStatus('sent');
      const attempt = { ...attemptFor(sent), outcome: 'success' as const, startedAt: at(50) };
      await store.addAttempt({ ...attempt, kind: 'update' });
      await store.addAttempt({
        ...attempt,
        kind: 'recall',
        outcome: 'permanent_fail',
        errorCode: 'payload_invalid',
      });
      const attempts = await store.listAttempts(sent.id);
      expect(attempts.map((a) => [a.attemptNo, a.kind, a.outcome])).toEqual([
        [1, 'send', 'success'],
        [2, 'update', 'success'],
        [3, 'recall', 'permanent_fail'],
      ]);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
