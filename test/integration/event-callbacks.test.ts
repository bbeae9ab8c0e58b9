import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { enableMock, eventClient, type EventClient } from '../helpers/event-clients.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

/** Standard Webhooks verification from the spec (key = base64 of `whsec_…`, over `id.timestamp.body`). */
function verifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const run = uniqueSuffix();
const alice = `ev-cb-alice-${run}`;
const bob = `ev-cb-bob-${run}`;

let receiver: Server;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let gateway: TestGateway;
let events: EventClient;
let notifications: NotificationClient;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
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
        events: ['sent'],
        allowHttp: true,
        allowPrivateNetwork: true,
      },
    ],
    callbackDelivery: { initialDelayMs: 100, multiplier: 1, maxAttempts: 5, pollIntervalMs: 50 },
    rules: [
      { name: 'to-listed', match: { type: 'build.*' }, channels: ['mock'], recipients: { eventUsers: true } },
    ],
  });
  events = eventClient(gateway.baseUrl);
  notifications = notificationClient(gateway.baseUrl);
  await enableMock(gateway.baseUrl, [alice, bob]);
});

afterAll(async () => {
  await gateway?.stop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

function callbacksFor(id: string) {
  return received.filter((entry) => (JSON.parse(entry.body) as { data: { id: string } }).data.id === id);
}

describe('PublishEvent with a status callback', () => {
  it("delivers a signed `sent` callback for each of the event's notifications", async () => {
    const eventId = `ev-cb-${run}`;
    const published = await events.publishEvent({
      event: {
        eventId,
        type: 'build.failed',
        userIds: [alice, bob],
        summary: 'build broke',
        callback: 'ops',
      },
    });
    const ids = published.notifications.map((n) => n.id);
    expect(ids).toHaveLength(2);
    expect(published.notifications.map((n) => n.callback)).toEqual(['ops', 'ops']);
    for (const id of ids) {
      expect((await waitForTerminal(notifications, id)).status).toBe(NotificationStatus.SENT);
      await waitFor(() => callbacksFor(id).length === 1, `the sent callback of ${id}`, 15_000);
      const [callback] = callbacksFor(id);
      expect(verifies(SECRET, callback?.headers ?? {}, callback?.body ?? '')).toBe(true);
      expect(JSON.parse(callback?.body ?? '{}')).toMatchObject({
        type: 'notification.sent',
        data: { id, status: 'sent', trigger_id: eventId },
      });
    }
    // The same event with another callback is another payload.
    const changed = await events
      .publishEvent({
        event: { eventId, type: 'build.failed', userIds: [alice, bob], summary: 'build broke' },
      })
      .catch((error: unknown) => error);
    expect(ConnectError.from(changed).code).toBe(Code.AlreadyExists);
  });

  it('rejects an unknown callback id as INVALID_ARGUMENT naming event.callback', async () => {
    const error = await events
      .publishEvent({
        event: { eventId: `ev-cb-bad-${run}`, type: 'build.failed', userIds: [alice], callback: 'nope' },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toBe('event.callback: "nope" is not a configured callback');
  });
});
