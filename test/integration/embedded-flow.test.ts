import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptOutcome, NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { startEmbeddedGateway, type EmbeddedGateway } from '../helpers/embedded-gateway.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { sleep } from '../helpers/wait-for.js';

// notification-flow.test.ts's core paths on the embedded default: SQLite store + in-process bus,
// where retry delays ride on MemoryMessageBus timers instead of RabbitMQ TTL queues.
let harness: EmbeddedGateway;
let client: NotificationClient;

beforeAll(async () => {
  harness = await startEmbeddedGateway({
    retry: { maxAttempts: 3, jitter: 'none', initialDelayMs: 200, multiplier: 2 },
  });
  client = notificationClient(harness.baseUrl);
});

afterAll(async () => {
  await harness?.stop();
});

let counter = 0;
function uniqueTrigger(extra: Record<string, unknown> = {}) {
  counter += 1;
  return {
    userId: `embedded-${counter}-${Date.now()}`,
    triggerId: `trigger-${counter}`,
    message: { text: `hello ${counter}` },
    channels: ['mock'],
    ...extra,
  };
}

function sendsFor(notificationId: string): number {
  return harness.mock().deliveries.filter((delivery) => delivery.notificationId === notificationId).length;
}

function startedMs(attempt: { startedAt?: { seconds: bigint; nanos: number } }): number {
  return Number(attempt.startedAt?.seconds ?? 0n) * 1000 + (attempt.startedAt?.nanos ?? 0) / 1e6;
}

describe('embedded default (SQLite + in-process bus)', () => {
  it('Trigger → SENT with exactly one mock delivery, stored in the SQLite file', async () => {
    const response = await client.trigger(uniqueTrigger());
    const id = response.notifications[0]?.id ?? '';
    const done = await waitForTerminal(client, id);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.attempts.map((a) => a.outcome)).toEqual([AttemptOutcome.SUCCESS]);
    expect(sendsFor(id)).toBe(1);
    expect(existsSync(harness.file)).toBe(true);
  });

  it('dedupes a repeat and 20 concurrent identical triggers: one record, one send', async () => {
    const request = uniqueTrigger({ dedupeKey: 'same-key' });
    const first = await client.trigger(request);
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.trigger(request)));
    const id = first.notifications[0]?.id ?? '';
    expect(first.notifications[0]?.deduplicated).toBe(false);
    for (const response of responses) {
      expect(response.notifications[0]).toMatchObject({ id, deduplicated: true });
    }
    await waitForTerminal(client, id);
    await sleep(300);
    expect(sendsFor(id)).toBe(1);
    expect((await client.listNotifications({ userId: request.userId })).notifications).toHaveLength(1);
  });

  it('temporary ×2 then success → SENT with 3 attempts, each retry after its backoff', async () => {
    const response = await client.trigger(
      uniqueTrigger({ metadata: { mock_outcomes: 'temporary_fail,temporary_fail,success' } }),
    );
    const done = await waitForTerminal(client, response.notifications[0]?.id ?? '');
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.attemptCount).toBe(3);
    expect(done.attempts.map((a) => a.outcome)).toEqual([
      AttemptOutcome.TEMPORARY_FAIL,
      AttemptOutcome.TEMPORARY_FAIL,
      AttemptOutcome.SUCCESS,
    ]);
    const starts = done.attempts.map(startedMs);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(200 - 5);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(400 - 5);
  });

  it('permanent failure → DEAD after one attempt; RetryNotification redrives it to SENT', async () => {
    const response = await client.trigger(
      uniqueTrigger({ metadata: { mock_outcomes: 'permanent_fail:recipient_missing,success' } }),
    );
    const id = response.notifications[0]?.id ?? '';
    const dead = await waitForTerminal(client, id);
    expect(dead).toMatchObject({ status: NotificationStatus.DEAD, lastErrorCode: 'recipient_missing' });
    await client.retryNotification({ id });
    const done = await waitForTerminal(client, id);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.attempts).toHaveLength(2);
  });
});
