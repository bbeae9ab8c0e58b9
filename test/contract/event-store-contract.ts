import { describe, expect, it } from 'vitest';
import type { NotifyEvent } from '../../src/core/event/event.js';
import type { EventStore, FanOut } from '../../src/core/event/event-store.js';
import type { NotificationStore } from '../../src/core/notification/notification-store.js';
import { newId } from '../../src/core/shared/ids.js';
import { T0, at, newNotification, uniqueUser } from '../helpers/notification-fixtures.js';

/** An event store and the notification store on the same database. */
export interface EventStoreFixture {
  readonly events: EventStore;
  readonly notifications: NotificationStore;
}

function event(eventId: string, overrides: Partial<NotifyEvent> = {}): NotifyEvent {
  return {
    eventId,
    type: 'task.overdue',
    severity: 'critical',
    status: 'firing',
    fingerprint: `fp-${eventId}`,
    userIds: ['u-%_1'],
    attributes: { team: 'sre' },
    target: { type: 'task', id: 'T-1', url: 'https://tasks.example/T-1' },
    previewId: 'p',
    traceId: 't',
    occurredAt: T0,
    summary: 'overdue',
    ...overrides,
  };
}

function fanOut(eventId: string, users: string[], overrides: Partial<NotifyEvent> = {}): FanOut {
  const records = users.map((userId) =>
    newNotification({
      id: newId(T0),
      userId,
      channel: 'mock',
      dedupeKey: `event:${eventId}:r`,
      triggerId: eventId,
      eventId,
      severity: 'critical',
    }),
  );
  return {
    event: event(eventId, overrides),
    payloadHash: 'a'.repeat(64),
    records,
    decisions: [
      ...users.map((userId, i) => ({
        rule: 'r',
        userId,
        channel: 'mock',
        outcome: 'notified' as const,
        reason: '',
        record: i,
      })),
      {
        rule: 'mute',
        userId: 'quiet-user',
        channel: '',
        outcome: 'suppressed' as const,
        reason: 'rule_suppressed',
      },
    ],
  };
}

/** The EventStore contract every SQL dialect passes. */
export function describeEventStoreContract(name: string, fixture: () => EventStoreFixture): void {
  describe(`EventStore contract: ${name}`, () => {
    it('commits the event, its records and its decisions together; a repeat writes nothing', async () => {
      const { events, notifications } = fixture();
      const id = `ev-${uniqueUser()}`;
      const users = [uniqueUser(), uniqueUser()];
      const first = await events.commitFanOut(fanOut(id, users), T0);
      expect(first.inserted).toBe(true);
      if (!first.inserted) return;
      expect(first.decisions.map((d) => d.outcome)).toEqual(['notified', 'notified', 'suppressed']);
      expect(first.decisions[0]?.notificationId).toBe(first.records[0]?.record.id);
      expect(first.decisions[2]?.notificationId).toBe('');

      const again = await events.commitFanOut(fanOut(id, users, { summary: 'changed' }), at(1000));
      expect(again.inserted).toBe(false);
      if (!again.inserted) expect(again.existing.event.summary).toBe('overdue');

      const trace = await events.findTrace(id);
      expect(trace?.event).toEqual(event(id));
      expect(trace?.decisions).toEqual(first.decisions);
      expect([...(trace?.notificationIds ?? [])].sort()).toEqual(
        first.records.map((r) => r.record.id).sort(),
      );
      const linked = await events.listNotifications(id);
      expect(linked.map((r) => [r.eventId, r.severity])).toEqual([
        [id, 'critical'],
        [id, 'critical'],
      ]);
      expect((await notifications.list({ eventId: id, limit: 10 })).records).toHaveLength(2);
      expect(await events.findTrace('missing')).toBeNull();
    });

    it('marks a record whose dedupe key already exists as deduplicated, pointing at the existing one', async () => {
      const { events, notifications } = fixture();
      const id = `ev-${uniqueUser()}`;
      const user = uniqueUser();
      const existing = await notifications.insertOrFind(
        newNotification({ userId: user, channel: 'mock', dedupeKey: `event:${id}:r` }),
        T0,
      );
      const result = await events.commitFanOut(fanOut(id, [user]), T0);
      expect(result.inserted).toBe(true);
      if (!result.inserted) return;
      expect(result.records[0]).toMatchObject({ deduplicated: true, record: { id: existing.record.id } });
      expect(result.decisions[0]).toMatchObject({
        outcome: 'deduplicated',
        notificationId: existing.record.id,
      });
    });

    it('finds the notifications of earlier FIRING events with a fingerprint (what a RESOLVED event updates)', async () => {
      const { events } = fixture();
      const fingerprint = `fp-${uniqueUser()}`;
      const firing = await events.commitFanOut(
        fanOut(`ev-${fingerprint}-1`, [uniqueUser(), uniqueUser()], { fingerprint }),
        T0,
      );
      await events.commitFanOut(
        fanOut(`ev-${fingerprint}-late`, [uniqueUser()], { fingerprint, occurredAt: at(5000) }),
        T0,
      );
      await events.commitFanOut(fanOut(`ev-${fingerprint}-other`, [uniqueUser()]), T0);
      const resolvedId = `ev-${fingerprint}-2`;
      await events.commitFanOut(
        fanOut(resolvedId, [uniqueUser()], { fingerprint, status: 'resolved', occurredAt: at(1000) }),
        T0,
      );
      if (!firing.inserted) throw new Error('not inserted');
      const ids = await events.notificationIdsOfFingerprint(fingerprint, resolvedId, at(1000));
      expect(ids.sort()).toEqual(firing.records.map((r) => r.record.id).sort());
      expect(await events.notificationIdsOfFingerprint('fp-nothing', resolvedId, at(1000))).toEqual([]);
    });

    it('lists newest first with filters and pages', async () => {
      const { events } = fixture();
      const type = `list.${uniqueUser()}`;
      const user = uniqueUser();
      for (let i = 0; i < 3; i++) {
        await events.commitFanOut(
          {
            ...fanOut(`ev-${type}-${i}`, []),
            event: event(`ev-${type}-${i}`, {
              type,
              occurredAt: at(i * 1000),
              status: i === 1 ? 'resolved' : 'firing',
              userIds: i === 2 ? [user] : [],
            }),
          },
          T0,
        );
      }
      const first = await events.list({ type, limit: 2 });
      expect(first.events.map((e) => e.event.eventId)).toEqual([`ev-${type}-2`, `ev-${type}-1`]);
      const second = await events.list({ type, limit: 2, cursor: first.nextCursor });
      expect(second.events.map((e) => e.event.eventId)).toEqual([`ev-${type}-0`]);
      expect(second.nextCursor).toBeUndefined();
      expect((await events.list({ type, status: 'resolved', limit: 10 })).events).toHaveLength(1);
      expect(
        (await events.list({ type, userId: user, limit: 10 })).events.map((e) => e.event.eventId),
      ).toEqual([`ev-${type}-2`]);
      // LIKE wildcards in a user id are literal.
      expect((await events.list({ type, userId: '%', limit: 10 })).events).toEqual([]);
      expect(
        (await events.list({ type, occurredAfter: at(1000), occurredBefore: at(2000), limit: 10 })).events,
      ).toHaveLength(1);
    });
  });
}
