import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptOutcome, NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { loadGrpcJsService, grpcJsUnary } from '../helpers/rpc-clients.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { sleep } from '../helpers/wait-for.js';

let harness: TestGateway;
let client: NotificationClient;

beforeAll(async () => {
  // No jitter so the test can check each retry waited its full backoff: 200 ms, then 400 ms.
  harness = await startTestGateway({
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
    userId: `user-${counter}-${Date.now()}`,
    triggerId: `trigger-${counter}`,
    triggerType: 'task_overdue',
    message: { text: `hello ${counter}` },
    channels: ['mock'],
    ...extra,
  };
}

function sendsFor(notificationId: string): number {
  return harness.mock().deliveries.filter((delivery) => delivery.notificationId === notificationId).length;
}

describe('Trigger → SENT through every client', () => {
  it('grpc-js client: one send, SENT with one attempt', async () => {
    const Service = loadGrpcJsService(
      'notify/v1/notification_service.proto',
      'notify.v1.NotificationService',
    );
    const grpcClient = new Service(`127.0.0.1:${harness.gateway.port}`, grpc.credentials.createInsecure());
    try {
      const response = await grpcJsUnary<{ notifications: Array<{ id: string; deduplicated: boolean }> }>(
        grpcClient,
        'Trigger',
        {
          user_id: `grpcjs-${Date.now()}`,
          trigger_id: 't-grpcjs',
          message: { text: 'from grpc-js' },
          channels: ['mock'],
        },
      );
      expect(response.notifications).toHaveLength(1);
      const id = response.notifications[0]?.id ?? '';
      const done = await waitForTerminal(client, id);
      expect(done.status).toBe(NotificationStatus.SENT);
      expect(done.attempts).toHaveLength(1);
      expect(done.attempts[0]?.outcome).toBe(AttemptOutcome.SUCCESS);
      expect(sendsFor(id)).toBe(1);
      expect(harness.mock().deliveries.find((d) => d.notificationId === id)?.text).toBe('from grpc-js');
    } finally {
      grpcClient.close();
    }
  });

  it('connect-node client over HTTP/1.1 (Connect protocol)', async () => {
    const h1 = notificationClient(harness.baseUrl, 'connect-h1');
    const response = await h1.trigger(uniqueTrigger());
    const id = response.notifications[0]?.id ?? '';
    expect((await waitForTerminal(h1, id)).status).toBe(NotificationStatus.SENT);
    expect(sendsFor(id)).toBe(1);
  });

  it('plain HTTP/1.1 JSON with fetch', async () => {
    const response = await fetch(`${harness.baseUrl}/notify.v1.NotificationService/Trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user_id: `fetch-${Date.now()}`,
        trigger_id: 't-fetch',
        message: { text: 'from fetch' },
        channels: ['mock'],
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { notifications: Array<{ id: string; status: string }> };
    expect(body.notifications[0]?.status).toBe('NOTIFICATION_STATUS_PENDING');
    const id = body.notifications[0]?.id ?? '';
    expect((await waitForTerminal(client, id)).status).toBe(NotificationStatus.SENT);
    expect(sendsFor(id)).toBe(1);
  });
});

describe('dedupe by (user, channel, dedupe_key)', () => {
  it('a repeat returns the same record with deduplicated = true and sends nothing more', async () => {
    const request = uniqueTrigger();
    const first = await client.trigger(request);
    const second = await client.trigger(request);
    expect(first.notifications[0]?.deduplicated).toBe(false);
    expect(second.notifications[0]?.deduplicated).toBe(true);
    expect(second.notifications[0]?.id).toBe(first.notifications[0]?.id);
    await waitForTerminal(client, first.notifications[0]?.id ?? '');
    await sleep(300);
    expect(sendsFor(first.notifications[0]?.id ?? '')).toBe(1);
  });

  it('20 concurrent identical triggers: one record, one send, 19 deduplicated', async () => {
    const request = uniqueTrigger({ dedupeKey: 'same-key' });
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.trigger(request)));
    const notifications = responses.map((response) => response.notifications[0]);
    expect(new Set(notifications.map((n) => n?.id)).size).toBe(1);
    expect(notifications.filter((n) => n?.deduplicated === false)).toHaveLength(1);
    expect(notifications.filter((n) => n?.deduplicated === true)).toHaveLength(19);
    const id = notifications[0]?.id ?? '';
    await waitForTerminal(client, id);
    await sleep(300);
    expect(sendsFor(id)).toBe(1);
    const listed = await client.listNotifications({ userId: request.userId });
    expect(listed.notifications).toHaveLength(1);
  });
});

describe('retries and terminal states', () => {
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
    const starts = done.attempts.map(
      (a) => Number(a.startedAt?.seconds ?? 0n) * 1000 + (a.startedAt?.nanos ?? 0) / 1e6,
    );
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(200 - 5);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(400 - 5);
    // Not absurdly late either: the smallest retry tier is 200 ms.
    expect(starts[2]! - starts[1]!).toBeLessThan(400 + 1500);
  });

  it('permanent failure → DEAD after one attempt with the plugin code', async () => {
    const response = await client.trigger(
      uniqueTrigger({ metadata: { mock_outcomes: 'permanent_fail:recipient_missing' } }),
    );
    const done = await waitForTerminal(client, response.notifications[0]?.id ?? '');
    expect(done.status).toBe(NotificationStatus.DEAD);
    expect(done.attempts).toHaveLength(1);
    expect(done.lastErrorCode).toBe('recipient_missing');
  });

  it('always temporary → DEAD after maxAttempts (3)', async () => {
    const response = await client.trigger(
      uniqueTrigger({ metadata: { mock_outcomes: 'temporary_fail:provider_5xx' } }),
    );
    const done = await waitForTerminal(client, response.notifications[0]?.id ?? '');
    expect(done.status).toBe(NotificationStatus.DEAD);
    expect(done.attempts).toHaveLength(3);
    expect(done.attemptCount).toBe(3);
    expect(done.lastErrorCode).toBe('provider_5xx');
  });

  it('rate limited with retry_after_ms → waits at least that long, spends no attempt', async () => {
    const response = await client.trigger(
      uniqueTrigger({ metadata: { mock_outcomes: 'temporary_fail:provider_rate_limited:1200,success' } }),
    );
    const done = await waitForTerminal(client, response.notifications[0]?.id ?? '');
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.attempts).toHaveLength(2);
    expect(done.attemptCount).toBe(1);
    const [first, second] = done.attempts.map(
      (a) => Number(a.startedAt?.seconds ?? 0n) * 1000 + (a.startedAt?.nanos ?? 0) / 1e6,
    );
    expect(second! - first!).toBeGreaterThanOrEqual(1200 - 5);
  });

  it('skipped by the plugin → SKIPPED with the reason', async () => {
    const response = await client.trigger(
      uniqueTrigger({ metadata: { mock_outcomes: 'skipped:user_opted_out' } }),
    );
    const done = await waitForTerminal(client, response.notifications[0]?.id ?? '');
    expect(done.status).toBe(NotificationStatus.SKIPPED);
    expect(done.lastErrorCode).toBe('user_opted_out');
  });
});

describe('compare-and-set', () => {
  it('a message for a SENT record changes nothing and sends nothing', async () => {
    const response = await client.trigger(uniqueTrigger());
    const id = response.notifications[0]?.id ?? '';
    const sent = await waitForTerminal(client, id);
    await harness.gateway.bus.publish({
      kind: 'notification.requested',
      notificationId: id,
      channel: 'mock',
    });
    await harness.gateway.bus.publish({
      kind: 'notification.requested',
      notificationId: id,
      channel: 'mock',
    });
    await sleep(500);
    const after = (await client.getNotification({ id })).notification;
    expect(sendsFor(id)).toBe(1);
    expect(after?.updatedAt).toEqual(sent.updatedAt);
    expect(after?.attempts).toHaveLength(1);
  });

  it('messages for a record another worker is sending are ignored', async () => {
    const response = await client.trigger(uniqueTrigger({ metadata: { mock_latency_ms: '1000' } }));
    const id = response.notifications[0]?.id ?? '';
    await waitForTerminal(client, id, 5000, (n) => n.status === NotificationStatus.SENDING);
    for (let i = 0; i < 3; i++)
      await harness.gateway.bus.publish({
        kind: 'notification.requested',
        notificationId: id,
        channel: 'mock',
      });
    const done = await waitForTerminal(client, id);
    await sleep(300);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(harness.mock().calls.filter((call) => call.notificationId === id)).toHaveLength(1);
    expect(done.attempts).toHaveLength(1);
  });
});

describe('Retry and Cancel', () => {
  it('RetryNotification redrives a DEAD record with a fresh budget', async () => {
    const response = await client.trigger(
      uniqueTrigger({ metadata: { mock_outcomes: 'permanent_fail,success' } }),
    );
    const id = response.notifications[0]?.id ?? '';
    expect((await waitForTerminal(client, id)).status).toBe(NotificationStatus.DEAD);
    const redriven = await client.retryNotification({ id });
    expect(redriven.notification?.status).toBe(NotificationStatus.PENDING);
    const done = await waitForTerminal(client, id);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.attempts).toHaveLength(2);
  });

  it('CancelNotification cancels a failed record waiting for its retry; a SENT one cannot be cancelled', async () => {
    const response = await client.trigger(
      uniqueTrigger({ metadata: { mock_outcomes: 'temporary_fail:provider_rate_limited:5000,success' } }),
    );
    const id = response.notifications[0]?.id ?? '';
    await waitForTerminal(client, id, 5000, (n) => n.status === NotificationStatus.FAILED);
    expect((await client.cancelNotification({ id })).notification?.status).toBe(NotificationStatus.CANCELLED);
    await expect(client.cancelNotification({ id })).rejects.toMatchObject({ code: 9 });
  });

  it('ListNotifications filters by status and pages without gaps', async () => {
    const userId = `lister-${Date.now()}`;
    for (let i = 0; i < 5; i++)
      await client.trigger({ userId, triggerId: `list-${i}`, message: { text: 'x' }, channels: ['mock'] });
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await client.listNotifications({ userId, pageSize: 2, pageToken });
      seen.push(...page.notifications.map((n) => n.triggerId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen.sort()).toEqual(['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
  });
});
