import { describe, expect, it } from 'vitest';
import {
  CallbackDispatcher,
  callbackBackoffMs,
  type CallbackPostResult,
} from '../../../../src/core/callbacks/callback-dispatcher.js';
import type {
  CallbackAttemptUpdate,
  CallbackDelivery,
  CallbackStore,
} from '../../../../src/core/callbacks/callback-store.js';
import { secretKeyOf, signWebhook } from '../../../../src/core/callbacks/standard-webhooks.js';
import { parseGatewayConfig } from '../../../../src/core/config/load-config.js';
import { createLogger } from '../../../../src/core/shared/logger.js';

describe('signWebhook', () => {
  it('matches the Standard Webhooks reference vector', () => {
    // The example of the Standard Webhooks / Svix documentation.
    const key = secretKeyOf('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(signWebhook(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('refuses a secret that is not whsec_ or too short, without echoing it', () => {
    expect(() => secretKeyOf('sk_live_abc')).toThrow('must start with whsec_');
    expect(() => secretKeyOf('whsec_c2hvcnQ=')).toThrow(/at least 24 bytes/);
  });
});

/** An in-memory outbox with the store's claim semantics. */
class MemoryCallbackStore implements CallbackStore {
  readonly rows = new Map<string, CallbackDelivery>();

  enqueue(
    delivery: Pick<CallbackDelivery, 'id' | 'callbackId' | 'notificationId' | 'eventType' | 'payload'>,
    now: Date,
  ) {
    this.rows.set(delivery.id, {
      ...delivery,
      status: 'pending',
      attemptCount: 0,
      nextAttemptAt: now,
      lastError: null,
      lastStatusCode: null,
      deliveredAt: null,
      createdAt: now,
      version: 1,
    });
    return Promise.resolve(true);
  }

  claimDue(now: Date, leaseUntil: Date, limit: number) {
    const due = [...this.rows.values()]
      .filter((row) => row.status === 'pending' && row.nextAttemptAt <= now)
      .slice(0, limit)
      .map((row) => ({
        ...row,
        nextAttemptAt: leaseUntil,
        attemptCount: row.attemptCount + 1,
        version: row.version + 1,
      }));
    for (const row of due) this.rows.set(row.id, row);
    return Promise.resolve(due);
  }

  finishAttempt(id: string, version: number, update: CallbackAttemptUpdate) {
    const row = this.rows.get(id);
    if (row?.version !== version) return Promise.resolve(false);
    this.rows.set(id, { ...row, ...update, version: version + 1 });
    return Promise.resolve(true);
  }

  listForNotification(notificationId: string) {
    return Promise.resolve([...this.rows.values()].filter((row) => row.notificationId === notificationId));
  }
}

describe('CallbackDispatcher', () => {
  const config = parseGatewayConfig({
    callbacks: [{ id: 'ops', url: 'https://hooks.example.test/notify', secret: `whsec_${'A'.repeat(32)}` }],
    callbackDelivery: { maxAttempts: 3, initialDelayMs: 1000, multiplier: 2 },
  });

  it('retries on its own ladder and gives up as dead after maxAttempts', async () => {
    const store = new MemoryCallbackStore();
    let now = new Date('2030-01-01T00:00:00Z');
    const seen: string[] = [];
    const results: string[] = [];
    const dispatcher = new CallbackDispatcher({
      store,
      callbacks: config.callbacks,
      ladder: config.callbackDelivery,
      send: (_callback, _body, headers): Promise<CallbackPostResult> => {
        seen.push(headers['webhook-id']);
        return Promise.resolve({ status: 503 });
      },
      clock: { now: () => now },
      logger: createLogger('silent'),
      observer: { callbackAttempted: (_id, result) => results.push(result) },
    });
    await store.enqueue(
      { id: 'd1', callbackId: 'ops', notificationId: 'n1', eventType: 'sent', payload: '{}' },
      now,
    );
    for (let i = 0; i < 3; i++) {
      expect(await dispatcher.runOnce()).toBe(1);
      // Not due again until its backoff has passed.
      expect(await dispatcher.runOnce()).toBe(0);
      now = new Date(now.getTime() + 10_000);
    }
    expect(await dispatcher.runOnce()).toBe(0);
    expect(seen).toEqual(['d1', 'd1', 'd1']);
    expect(results).toEqual(['retry', 'retry', 'dead']);
    expect(store.rows.get('d1')).toMatchObject({ status: 'dead', attemptCount: 3, lastError: 'HTTP 503' });
  });

  it('backs off exponentially between half and all of the capped delay', () => {
    const ladder = config.callbackDelivery;
    expect(callbackBackoffMs(1, ladder, () => 0)).toBe(500);
    expect(callbackBackoffMs(3, ladder, () => 1)).toBe(4000);
    expect(callbackBackoffMs(40, ladder, () => 1)).toBe(ladder.maxDelayMs);
  });
});
