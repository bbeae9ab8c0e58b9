import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryMessageBus } from '../../../../src/adapters/memory-bus/memory-bus.js';
import type { NotificationRecord } from '../../../../src/core/notification/notification-record.js';
import { NotificationWatchHub } from '../../../../src/core/notification/notification-watch.js';
import { createLogger } from '../../../../src/core/shared/logger.js';
import type { NotificationStore } from '../../../../src/core/notification/notification-store.js';
import { at, newNotification, storedRecord } from '../../../helpers/notification-fixtures.js';

/** A store that answers findById and list from a map (the hub needs nothing else). */
function storeOf(records: Map<string, NotificationRecord>): NotificationStore {
  return {
    findById: (id: string) => Promise.resolve(records.get(id) ?? null),
    list: (query: { userId?: string }) =>
      Promise.resolve({
        records: [...records.values()].filter((record) => record.userId === query.userId),
        nextCursor: undefined,
      }),
  } as unknown as NotificationStore;
}

function record(overrides: Partial<NotificationRecord> = {}): NotificationRecord {
  return { ...storedRecord(newNotification(), at(0)), ...overrides };
}

/** Collects a stream until it ends or `count` items arrived. */
async function take(
  stream: AsyncGenerator<NotificationRecord>,
  count: number,
): Promise<NotificationRecord[]> {
  const seen: NotificationRecord[] = [];
  for await (const item of stream) {
    seen.push(item);
    if (seen.length >= count) break;
  }
  return seen;
}

describe('NotificationWatchHub', () => {
  let bus: MemoryMessageBus;
  let records: Map<string, NotificationRecord>;
  let hub: NotificationWatchHub;

  beforeEach(async () => {
    bus = new MemoryMessageBus();
    await bus.start();
    records = new Map();
    hub = new NotificationWatchHub({
      bus,
      store: storeOf(records),
      logger: createLogger('silent'),
      maxStreams: 2,
      resyncMs: 60_000,
    });
    await hub.start();
  });
  afterEach(async () => {
    await hub.stop();
    await bus.close();
  });

  it('sends the current state, then newer versions only, and ends when every id is terminal', async () => {
    const pending = record();
    records.set(pending.id, pending);
    const signal = new AbortController().signal;
    const seen: string[] = [];
    const done = (async () => {
      for await (const item of hub.watch({ ids: [pending.id], userId: '', eventId: '' }, signal)) {
        seen.push(`${item.status}@${item.version}`);
        if (seen.length === 1) {
          bus.broadcastChange({ ...pending, status: 'sent', version: 3 });
          // Late and stale: never sent backwards after version 3.
          bus.broadcastChange({ ...pending, status: 'sending', version: 2 });
        }
      }
    })();
    await done;
    expect(seen).toEqual(['pending@1', 'sent@3']);
    expect(hub.activeStreams).toBe(0);
  });

  it('filters by user_id and by event_id', async () => {
    const mine = record();
    const signal = new AbortController().signal;
    const byUser = take(hub.watch({ ids: [], userId: mine.userId, eventId: '' }, signal), 1);
    const byEvent = take(hub.watch({ ids: [], userId: '', eventId: 'ev-1' }, signal), 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    bus.broadcastChange(record()); // another user, no event
    bus.broadcastChange({ ...mine, status: 'sending', version: 2 });
    bus.broadcastChange({ ...record(), eventId: 'ev-1' } as NotificationRecord);
    const [user] = await byUser;
    const [event] = await byEvent;
    expect(user?.id).toBe(mine.id);
    expect((event as unknown as { eventId: string }).eventId).toBe('ev-1');
  });

  it('rejects a request with no filter, too many ids or an unknown id, and streams beyond the cap', async () => {
    const signal = new AbortController().signal;
    await expect(take(hub.watch({ ids: [], userId: '', eventId: '' }, signal), 1)).rejects.toMatchObject({
      kind: 'invalid_argument',
      field: 'ids',
    });
    const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`);
    await expect(take(hub.watch({ ids, userId: '', eventId: '' }, signal), 1)).rejects.toMatchObject({
      reason: 'too_many_entries',
    });
    await expect(
      take(hub.watch({ ids: ['nope'], userId: '', eventId: '' }, signal), 1),
    ).rejects.toMatchObject({
      kind: 'not_found',
    });
    const open = new AbortController();
    const one = take(hub.watch({ ids: [], userId: 'u', eventId: '' }, open.signal), 1);
    const two = take(hub.watch({ ids: [], userId: 'u', eventId: '' }, open.signal), 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(take(hub.watch({ ids: [], userId: 'u', eventId: '' }, signal), 1)).rejects.toMatchObject({
      reason: 'too_many_streams',
    });
    open.abort();
    expect(await one).toEqual([]);
    expect(await two).toEqual([]);
  });
});
