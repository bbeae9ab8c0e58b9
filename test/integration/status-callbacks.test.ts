import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../src/core/config/load-config.js';
import { ConfigError } from '../../src/core/contract/index.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Standard Webhooks verification written from the spec (standardwebhooks.com), independent of the
 * gateway's signer: the key is the base64 part of `whsec_…`; the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`; `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256>`; timestamps more than 5 minutes away are rejected.
 */
function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const WRONG_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let receiver: Server;
const received: Received[] = [];
/** Status codes the receiver answers in order; 200 once used up. */
let script: number[] = [];
let gateway: TestGateway;
let client: NotificationClient;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = script.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  gateway = await startTestGateway({
    callbacks: [
      {
        id: 'ops',
        url: `http://127.0.0.1:${port}/hooks/notify`,
        secret: SECRET,
        events: ['sent', 'dead', 'acknowledged'],
        allowHttp: true,
        allowPrivateNetwork: true,
      },
    ],
    callbackDelivery: { initialDelayMs: 100, multiplier: 1, maxAttempts: 5, pollIntervalMs: 50 },
  });
  client = notificationClient(gateway.baseUrl);
});

afterAll(async () => {
  await gateway?.stop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

function callbacksFor(id: string): Received[] {
  return received.filter((entry) => (JSON.parse(entry.body) as { data: { id: string } }).data.id === id);
}

describe('status callbacks (Standard Webhooks)', () => {
  it('a receiver that answers 500 twice gets the same signed callback a third time', async () => {
    script = [500, 500];
    const response = await client.trigger({
      userId: 'cb-user',
      triggerId: 'cb-1',
      message: { text: 'tell me' },
      channels: ['mock'],
      callback: 'ops',
    });
    const id = response.notifications[0]?.id ?? '';
    expect(response.notifications[0]?.callback).toBe('ops');
    expect((await waitForTerminal(client, id)).status).toBe(NotificationStatus.SENT);
    await waitFor(() => callbacksFor(id).length === 3, 'three callback attempts', 15_000);
    const attempts = callbacksFor(id);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    for (const attempt of attempts) {
      expect(verifyStandardWebhook(SECRET, attempt.headers, attempt.body)).toBe(true);
      expect(verifyStandardWebhook(WRONG_SECRET, attempt.headers, attempt.body)).toBe(false);
      // A body changed in transit fails too.
      expect(verifyStandardWebhook(SECRET, attempt.headers, attempt.body.replace('sent', 'dead'))).toBe(
        false,
      );
      expect(attempt.headers['content-type']).toBe('application/json');
    }
    const body = JSON.parse(attempts[2]?.body ?? '{}') as { type: string; data: Record<string, unknown> };
    expect(body.type).toBe('notification.sent');
    expect(body.data).toMatchObject({ id, user_id: 'cb-user', channel: 'mock', status: 'sent' });
    // No fourth attempt after the 200.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(callbacksFor(id)).toHaveLength(3);
    const connection = await createConnection(gateway.database.url);
    try {
      const [rows] = await connection.query(
        'SELECT status, attempt_count, last_status_code, event_type FROM callback_deliveries WHERE notification_id = ?',
        [id],
      );
      expect(rows).toEqual([
        { status: 'delivered', attempt_count: 3, last_status_code: 200, event_type: 'sent' },
      ]);
    } finally {
      await connection.end();
    }
    const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(metrics).toContain('notify_status_callbacks_total{callback="ops",result="retry"} 2');
    expect(metrics).toContain('notify_status_callbacks_total{callback="ops",result="delivered"} 1');
  });

  it('reports DEAD, and only the events the callback subscribed to', async () => {
    script = [];
    const dead = await client.trigger({
      userId: 'cb-user',
      triggerId: 'cb-2',
      message: { text: 'fails' },
      channels: ['mock'],
      callback: 'ops',
      metadata: { mock_outcomes: 'permanent_fail' },
    });
    const deadId = dead.notifications[0]?.id ?? '';
    expect((await waitForTerminal(client, deadId)).status).toBe(NotificationStatus.DEAD);
    await waitFor(() => callbacksFor(deadId).length === 1, 'the dead callback', 15_000);
    expect(JSON.parse(callbacksFor(deadId)[0]?.body ?? '{}')).toMatchObject({
      type: 'notification.dead',
      data: { status: 'dead', last_error_code: 'mock_permanent' },
    });
    // Without `callback` nothing is reported.
    const quiet = await client.trigger({
      userId: 'cb-user',
      triggerId: 'cb-3',
      message: { text: 'no callback' },
      channels: ['mock'],
    });
    const quietId = quiet.notifications[0]?.id ?? '';
    await waitForTerminal(client, quietId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(callbacksFor(quietId)).toHaveLength(0);
  });

  it('reports an acknowledgement as notification.acknowledged', async () => {
    script = [];
    const response = await client.trigger({
      userId: 'cb-user',
      triggerId: 'cb-ack',
      message: { text: 'ack me' },
      channels: ['mock'],
      callback: 'ops',
    });
    const id = response.notifications[0]?.id ?? '';
    await waitForTerminal(client, id);
    await client.acknowledgeNotification({ id, by: 'oncall' });
    await waitFor(() => callbacksFor(id).length === 2, 'the sent and acknowledged callbacks', 15_000);
    const types = callbacksFor(id).map((entry) => (JSON.parse(entry.body) as { type: string }).type);
    expect(types.sort()).toEqual(['notification.acknowledged', 'notification.sent']);
  });

  it('rejects a trigger naming an unknown callback, naming the field', async () => {
    await expect(
      client.trigger({
        userId: 'u',
        triggerId: 't',
        message: { text: 'x' },
        channels: ['mock'],
        callback: 'nope',
      }),
    ).rejects.toMatchObject({ code: 3, rawMessage: 'callback: "nope" is not a configured callback' });
  });
});

describe('callback config', () => {
  it('refuses a private address without allowPrivateNetwork, http without allowHttp, and a bad secret', async () => {
    const base = { id: 'x', secret: SECRET, events: ['sent'] };
    await expect(
      startTestGateway({ callbacks: [{ ...base, url: 'http://127.0.0.1:1/x', allowHttp: true }] }),
    ).rejects.toThrow(
      new ConfigError('callbacks[0].url', 'points at a private address (or set allowPrivateNetwork: true)'),
    );
    await expect(
      startTestGateway({ callbacks: [{ ...base, url: 'http://example.test/x' }] }),
    ).rejects.toThrow(/callbacks\[0\]\.url: must use https/);
    expect(() =>
      parseGatewayConfig({ callbacks: [{ ...base, url: 'https://example.test/x', secret: 'plain' }] }),
    ).toThrow(/callbacks\[0\]\.secret: must be whsec_/);
  });
});
