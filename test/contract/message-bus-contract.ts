import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PoisonMessageError,
  type BusEvent,
  type BusHandler,
  type DeliveryRequested,
  type MessageBus,
  type ScheduleTriggered,
} from '../../src/core/delivery/message-bus.js';
import { UnstorableValueError } from '../../src/core/shared/unstorable-value-error.js';
import type { NotificationRecord } from '../../src/core/notification/notification-record.js';
import { at, newNotification, storedRecord } from '../helpers/notification-fixtures.js';
import { gate, sleep, waitFor } from '../helpers/wait-for.js';

/** Broker-level hooks a bus can offer for the poison-message tests (RabbitMQ only). */
export interface RawBrokerAccess {
  /** Publish an arbitrary body to the work exchange with the deliver routing key, bypassing the bus. */
  publishRawToDeliver(body: Buffer): Promise<void>;
  /** Bodies currently sitting in `notify.dead` (read without consuming them). */
  deadLetterCount(): Promise<number>;
}

/** What a factory builds for each test: a started bus and how to dispose of it. */
export interface MessageBusFixture {
  readonly bus: MessageBus;
  cleanup(): Promise<void>;
  readonly raw?: RawBrokerAccess;
}

/** A handler that only records what it is given (and succeeds). */
export function recordInto(events: BusEvent[]): BusHandler {
  return (event) => {
    events.push(event);
    return Promise.resolve();
  };
}

let counter = 0;
/** A unique DeliveryRequested for one test. */
export function deliveryEvent(channel = 'mock'): DeliveryRequested {
  counter += 1;
  return { kind: 'notification.requested', notificationId: `n-${Date.now()}-${counter}`, channel };
}

/** A unique ScheduleTriggered for one test. */
export function scheduleEvent(): ScheduleTriggered {
  counter += 1;
  return { kind: 'active_schedule.triggered', jobKey: `job-${Date.now()}-${counter}` };
}

/** The suite every MessageBus implementation passes (docs/architecture.md §10). `factory` returns a started bus. */
export function describeMessageBusContract(name: string, factory: () => Promise<MessageBusFixture>): void {
  describe(`MessageBus contract: ${name}`, () => {
    let fixture: MessageBusFixture;
    let bus: MessageBus;

    beforeEach(async () => {
      fixture = await factory();
      bus = fixture.bus;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('broadcasts a status change to every change listener, dates intact, until cancelled', async () => {
      const first: NotificationRecord[] = [];
      const second: NotificationRecord[] = [];
      const one = await bus.watchChanges((record) => first.push(record));
      const two = await bus.watchChanges((record) => second.push(record));
      const record = { ...storedRecord(newNotification(), at(5)), status: 'sending' as const, version: 2 };
      bus.broadcastChange(record);
      await waitFor(() => first.length === 1 && second.length === 1, 'both listeners');
      expect(first[0]).toEqual(record);
      expect(second[0]?.createdAt).toBeInstanceOf(Date);
      await one.cancel();
      bus.broadcastChange({ ...record, status: 'sent', version: 3 });
      await waitFor(() => second.length === 2, 'the remaining listener');
      await sleep(100);
      expect(first).toHaveLength(1);
      await two.cancel();
    });

    it('delivers each kind of event, unchanged, to its own queue', async () => {
      const delivered: BusEvent[] = [];
      const scheduled: BusEvent[] = [];
      await bus.subscribe('deliver', recordInto(delivered), { prefetch: 8 });
      await bus.subscribe('schedule', recordInto(scheduled), { prefetch: 8 });
      const delivery = deliveryEvent('feishu-app');
      const schedule = scheduleEvent();
      await bus.publish(delivery);
      await bus.publish(schedule);
      await waitFor(() => delivered.length === 1 && scheduled.length === 1, 'both events');
      await sleep(100);
      expect(delivered).toEqual([delivery]);
      expect(scheduled).toEqual([schedule]);
    });

    it('holds a delayed event back for about the delay, keeping its queue, delivering it once', async () => {
      const arrivals: Array<{ event: BusEvent; at: number }> = [];
      const record: BusHandler = (event) => {
        arrivals.push({ event, at: Date.now() });
        return Promise.resolve();
      };
      await bus.subscribe('deliver', record, { prefetch: 8 });
      await bus.subscribe('schedule', record, { prefetch: 8 });
      const delayed = deliveryEvent();
      const delayedSchedule = scheduleEvent();
      const immediate = deliveryEvent();
      const started = Date.now();
      await bus.publish(delayed, { delayMs: 1000 });
      await bus.publish(delayedSchedule, { delayMs: 1000 });
      await bus.publish(immediate);
      await waitFor(() => arrivals.length >= 3, 'delayed events', 5000);
      const elapsed = (event: BusEvent) => {
        const hits = arrivals.filter((a) => JSON.stringify(a.event) === JSON.stringify(event));
        expect(hits).toHaveLength(1);
        return (hits[0]?.at ?? 0) - started;
      };
      expect(elapsed(immediate)).toBeLessThan(500);
      for (const event of [delayed, delayedSchedule]) {
        expect(elapsed(event)).toBeGreaterThanOrEqual(950);
        expect(elapsed(event)).toBeLessThan(2500);
      }
      // A delayed event must not also come back through a second tier.
      await sleep(1200);
      expect(arrivals).toHaveLength(3);
    });

    it('never runs more handlers at once than the prefetch', async () => {
      let running = 0;
      let maxRunning = 0;
      let done = 0;
      await bus.subscribe(
        'deliver',
        async () => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await sleep(100);
          running -= 1;
          done += 1;
        },
        { prefetch: 3 },
      );
      await Promise.all(Array.from({ length: 12 }, () => bus.publish(deliveryEvent())));
      await waitFor(() => done === 12, 'all 12 handled');
      expect(maxRunning).toBe(3);
    });

    it('redelivers an event whose handler threw', async () => {
      const event = deliveryEvent();
      let calls = 0;
      let succeeded = false;
      await bus.subscribe(
        'deliver',
        async (received) => {
          expect(received).toEqual(event);
          await sleep(1);
          calls += 1;
          if (calls === 1) throw new Error('transient failure');
          succeeded = true;
        },
        { prefetch: 1 },
      );
      await bus.publish(event);
      await waitFor(() => succeeded, 'redelivery');
      await sleep(200);
      expect(calls).toBe(2);
    });

    it.each([
      ['PoisonMessageError', () => new PoisonMessageError('no such record')],
      [
        'UnstorableValueError (a value the database refuses)',
        () => new UnstorableValueError('data too long'),
      ],
    ])('dead-letters an event whose handler throws %s once, without redelivery', async (_name, permanent) => {
      let calls = 0;
      await bus.subscribe(
        'deliver',
        async () => {
          await sleep(1);
          calls += 1;
          throw permanent();
        },
        { prefetch: 1 },
      );
      await bus.publish(deliveryEvent());
      await waitFor(() => calls === 1, 'the one delivery');
      if (fixture.raw) {
        const raw = fixture.raw;
        await waitFor(async () => (await raw.deadLetterCount()) === 1, 'the dead letter');
      }
      await sleep(300);
      expect(calls).toBe(1);
      if (fixture.raw) expect(await fixture.raw.deadLetterCount()).toBe(1);
      expect(await bus.deadLetterDepth()).toBe(1);
    });

    it('cancel() stops new deliveries and waits for in-flight handlers to finish and ack', async () => {
      const release = gate();
      let started = 0;
      let finished = 0;
      const subscription = await bus.subscribe(
        'deliver',
        async () => {
          started += 1;
          await release.promise;
          finished += 1;
        },
        { prefetch: 2 },
      );
      await bus.publish(deliveryEvent());
      await bus.publish(deliveryEvent());
      await waitFor(() => started === 2, 'two handlers in flight');
      let cancelled = false;
      const cancelling = subscription.cancel().then(() => (cancelled = true));
      await sleep(200);
      expect(cancelled).toBe(false);
      release.open();
      await cancelling;
      expect(finished).toBe(2);
      // Acked, so a new consumer sees only what is published after the cancel.
      const later: BusEvent[] = [];
      await bus.publish(deliveryEvent());
      await sleep(300);
      expect(started).toBe(2);
      await bus.subscribe('deliver', recordInto(later), { prefetch: 4 });
      await waitFor(() => later.length === 1, 'the event published after cancel');
      await sleep(300);
      expect(later).toHaveLength(1);
    });

    it('rejects publish and ping after close', async () => {
      await bus.ping();
      await bus.close();
      await expect(bus.publish(deliveryEvent())).rejects.toThrow();
      await expect(bus.ping()).rejects.toThrow();
    });

    it('dead-letters bodies that are not events exactly once, never calling the handler', async (context) => {
      const raw = fixture.raw;
      if (!raw) return context.skip('this bus has no wire format, so no poison bodies');
      const handled: BusEvent[] = [];
      await bus.subscribe('deliver', recordInto(handled), { prefetch: 4 });
      await raw.publishRawToDeliver(Buffer.from('\u0000not json at all'));
      await raw.publishRawToDeliver(Buffer.from(JSON.stringify({ kind: 'notification.requested' })));
      await raw.publishRawToDeliver(Buffer.from('{"kind":"unknown.kind","x":1}'));
      await waitFor(async () => (await raw.deadLetterCount()) >= 3, 'three dead letters');
      await bus.publish(deliveryEvent());
      await waitFor(() => handled.length === 1, 'the valid event after the poison');
      await sleep(300);
      expect(await raw.deadLetterCount()).toBe(3);
      expect(handled).toHaveLength(1);
    });
  });
}
