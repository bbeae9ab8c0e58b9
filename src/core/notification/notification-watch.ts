import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageBus, Subscription } from '../delivery/message-bus.js';
import { GatewayError, invalidField, unavailable } from '../shared/gateway-error.js';
import type { Logger } from '../shared/logger.js';
import type { NotificationStore } from './notification-store.js';
import type { NotificationRecord } from './notification-record.js';
import { isTerminal } from './status-machine.js';

/** What a WatchNotifications call asks for; at least one filter must be set. */
export interface WatchFilter {
  readonly ids: readonly string[];
  readonly userId: string;
  readonly eventId: string;
}

/** Most ids one stream may list. */
export const MAX_WATCH_IDS = 100;

/** Changes one stream may have waiting for a slow reader before it is ended (bounded memory). */
export const MAX_WATCH_BACKLOG = 1000;

/** Records a user_id/event_id watch starts with (the newest not yet terminal). */
const INITIAL_LIST_LIMIT = 100;

/** How often an ids watch re-reads its records, repairing changes the broadcast lost. */
const DEFAULT_RESYNC_MS = 2000;

interface Watcher {
  readonly filter: WatchFilter;
  readonly ids: ReadonlySet<string>;
  readonly backlog: NotificationRecord[];
  overflowed: boolean;
  wake: (() => void) | undefined;
}

/** The event a record belongs to, once records carry one (issue 14). */
function eventIdOf(record: NotificationRecord): string {
  const value = (record as { readonly eventId?: unknown }).eventId;
  return typeof value === 'string' ? value : '';
}

function matches(filter: WatchFilter, ids: ReadonlySet<string>, record: NotificationRecord): boolean {
  if (ids.size > 0 && !ids.has(record.id)) return false;
  if (filter.userId && record.userId !== filter.userId) return false;
  if (filter.eventId && eventIdOf(record) !== filter.eventId) return false;
  return true;
}

/**
 * WatchNotifications for one api process: one bus subscription to every status change (from any
 * process on the broker) dispatched to the streams whose filter matches. Each stream sends a
 * record's state only when its version is newer than the last one sent, so a change that arrives
 * twice or late is never sent backwards.
 */
export class NotificationWatchHub {
  private readonly watchers = new Set<Watcher>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly deps: {
      readonly bus: MessageBus;
      readonly store: NotificationStore;
      readonly logger: Logger;
      /** Streams served at once (`server.maxWatchStreams`). */
      readonly maxStreams: number;
      readonly resyncMs?: number;
    },
  ) {}

  /** Streams open now (metrics). */
  get activeStreams(): number {
    return this.watchers.size;
  }

  async start(): Promise<void> {
    this.subscription ??= await this.deps.bus.watchChanges((record) => this.dispatch(record));
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    for (const watcher of this.watchers) watcher.wake?.();
    await subscription?.cancel();
  }

  /**
   * The matching records' current states, then every newer state, until every listed id is terminal
   * (without ids: until `signal` aborts). Throws InvalidArgument, NotFound for a listed id that does
   * not exist, or ResourceExhausted beyond `maxStreams` or when the reader falls too far behind.
   */
  async *watch(filter: WatchFilter, signal: AbortSignal): AsyncGenerator<NotificationRecord> {
    validateFilter(filter);
    if (this.watchers.size >= this.deps.maxStreams) {
      throw new GatewayError(
        'resource_exhausted',
        'too_many_streams',
        `more than ${this.deps.maxStreams} watch streams are open; retry later`,
      );
    }
    const watcher: Watcher = {
      filter,
      ids: new Set(filter.ids),
      backlog: [],
      overflowed: false,
      wake: undefined,
    };
    // Subscribed before the first read, so no change between the read and the first wait is missed.
    this.watchers.add(watcher);
    const sent = new Map<string, NotificationRecord>();
    const fresh = (record: NotificationRecord) => (sent.get(record.id)?.version ?? 0) < record.version;
    const done = () =>
      watcher.ids.size > 0 &&
      [...watcher.ids].every((id) => {
        const last = sent.get(id);
        return last !== undefined && isTerminal(last.status);
      });
    try {
      for (const record of await this.initial(filter)) {
        sent.set(record.id, record);
        yield record;
      }
      let resyncAt = Date.now() + (this.deps.resyncMs ?? DEFAULT_RESYNC_MS);
      while (!done() && !signal.aborted && this.subscription) {
        if (watcher.overflowed) {
          throw new GatewayError(
            'resource_exhausted',
            'watch_overflow',
            `the stream fell more than ${MAX_WATCH_BACKLOG} changes behind; watch again`,
          );
        }
        const next = watcher.backlog.shift();
        if (next) {
          if (fresh(next)) {
            sent.set(next.id, next);
            yield next;
          }
          continue;
        }
        if (watcher.ids.size > 0 && Date.now() >= resyncAt) {
          for (const record of await this.read([...watcher.ids])) {
            if (!fresh(record)) continue;
            sent.set(record.id, record);
            yield record;
          }
          resyncAt = Date.now() + (this.deps.resyncMs ?? DEFAULT_RESYNC_MS);
          continue;
        }
        await this.waitForChange(watcher, signal, Math.max(1, resyncAt - Date.now()));
      }
      if (!done() && !signal.aborted) {
        throw unavailable('shutting_down', 'the server is shutting down; watch again on another replica');
      }
    } finally {
      this.watchers.delete(watcher);
    }
  }

  private async initial(filter: WatchFilter): Promise<NotificationRecord[]> {
    if (filter.ids.length > 0) {
      const records = await this.read(filter.ids);
      const found = new Set(records.map((record) => record.id));
      const missing = filter.ids.find((id) => !found.has(id));
      if (missing !== undefined) {
        throw new GatewayError(
          'not_found',
          'notification_not_found',
          `notification ${missing} does not exist`,
        );
      }
      return records.filter((record) => matches(filter, new Set(), record));
    }
    if (!filter.userId) return []; // event_id alone: changes only, until records carry event ids
    const page = await this.deps.store.list({
      userId: filter.userId,
      statuses: ['pending', 'scheduled', 'sending', 'failed'],
      limit: INITIAL_LIST_LIMIT,
    });
    return page.records.filter((record) => matches(filter, new Set(), record)).reverse();
  }

  private async read(ids: readonly string[]): Promise<NotificationRecord[]> {
    const records = await Promise.all([...new Set(ids)].map((id) => this.deps.store.findById(id)));
    return records.filter((record): record is NotificationRecord => record !== null);
  }

  private waitForChange(watcher: Watcher, signal: AbortSignal, timeoutMs: number): Promise<void> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    watcher.wake = abort;
    return sleep(timeoutMs, undefined, { signal: controller.signal })
      .catch(() => undefined)
      .finally(() => {
        watcher.wake = undefined;
        signal.removeEventListener('abort', abort);
      });
  }

  private dispatch(record: NotificationRecord): void {
    for (const watcher of this.watchers) {
      if (!matches(watcher.filter, watcher.ids, record)) continue;
      if (watcher.backlog.length >= MAX_WATCH_BACKLOG) {
        watcher.overflowed = true;
      } else {
        watcher.backlog.push(record);
      }
      watcher.wake?.();
    }
  }
}

function validateFilter(filter: WatchFilter): void {
  if (filter.ids.length === 0 && !filter.userId && !filter.eventId) {
    throw invalidField('ids', 'field_required', 'ids, user_id or event_id is required');
  }
  if (filter.ids.length > MAX_WATCH_IDS) {
    throw invalidField('ids', 'too_many_entries', `has more than ${MAX_WATCH_IDS} ids`);
  }
  filter.ids.forEach((id, i) => {
    if (!id) throw invalidField(`ids[${i}]`, 'field_required', 'must not be empty');
  });
}
