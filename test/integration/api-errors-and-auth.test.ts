import http2 from 'node:http2';
import { createHash } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { bufCurl } from '../helpers/rpc-clients.js';
import { notificationClient, type NotificationClient } from '../helpers/notify-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error('expected the call to fail');
}

describe('bad input', () => {
  let harness: TestGateway;
  let client: NotificationClient;
  beforeAll(async () => {
    harness = await startTestGateway({ delivery: { maxTextLength: 100 } });
    client = notificationClient(harness.baseUrl);
  });
  afterAll(() => harness?.stop());

  const valid = { userId: 'bad-input-user', triggerId: 't1', message: { text: 'hi' }, channels: ['mock'] };
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['missing user_id', { userId: '' }, 'user_id', 'field_required'],
    ['missing trigger_id', { triggerId: '' }, 'trigger_id', 'field_required'],
    ['missing message text', { message: { text: '' } }, 'message.text', 'field_required'],
    ['unknown channel', { channels: ['mock', 'pigeon'] }, 'channels[1]', 'unknown_channel'],
    ['oversized text', { message: { text: 'x'.repeat(101) } }, 'message.text', 'text_too_long'],
    [
      'bad target url',
      { target: { type: 'task', id: '1', url: 'javascript:alert(1)' } },
      'target.url',
      'invalid_url',
    ],
  ];

  it.each(cases)('%s → InvalidArgument naming %s, nothing stored', async (_name, change, field, reason) => {
    const error = await rejection(client.trigger({ ...valid, ...change }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain(field);
    const info = error.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe(reason);
    expect(info?.metadata.field).toBe(field);
    const stored = await client.listNotifications({ userId: (change.userId as string) || valid.userId });
    expect(stored.notifications).toHaveLength(0);
  });

  it('unknown notification id → NotFound; redrive of a non-dead record → FailedPrecondition', async () => {
    expect((await rejection(client.getNotification({ id: 'nope' }))).code).toBe(Code.NotFound);
    const created = await client.trigger({ ...valid, userId: 'precondition-user' });
    const error = await rejection(client.retryNotification({ id: created.notifications[0]?.id ?? '' }));
    expect(error.code).toBe(Code.FailedPrecondition);
  });

  it('a bad page token → InvalidArgument page_token', async () => {
    const error = await rejection(client.listNotifications({ pageToken: '!!garbage!!' }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain('page_token');
  });

  it('buf curl lists the three services by reflection and calls Trigger', async () => {
    const listed = await bufCurl(['--http2-prior-knowledge', '--list-methods', harness.baseUrl]);
    for (const service of [
      'notify.v1.NotificationService',
      'notify.v1.ConfigService',
      'notify.v1.ScheduleService',
    ]) {
      expect(listed.stdout).toContain(`${service}/`);
    }
    const called = await bufCurl([
      '--http2-prior-knowledge',
      `${harness.baseUrl}/notify.v1.NotificationService/Trigger`,
      '-d',
      JSON.stringify({
        user_id: 'buf-curl-user',
        trigger_id: 'bc1',
        message: { text: 'from buf curl' },
        channels: ['mock'],
      }),
    ]);
    const body = JSON.parse(called.stdout) as { notifications: Array<{ userId: string; channel: string }> };
    expect(body.notifications[0]).toMatchObject({ userId: 'buf-curl-user', channel: 'mock' });
  });
});

describe('API-key auth with scopes', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway({
      auth: {
        apiKeys: [
          { name: 'scheduler', sha256: sha256('trigger-key'), scopes: ['trigger'] },
          { name: 'reader', sha256: sha256('read-key'), scopes: ['read'] },
        ],
      },
    });
  });
  afterAll(() => harness?.stop());
  const request = { userId: 'auth-user', triggerId: 'a1', message: { text: 'hi' }, channels: ['mock'] };

  it('missing key → Unauthenticated', async () => {
    expect((await rejection(notificationClient(harness.baseUrl).trigger(request))).code).toBe(
      Code.Unauthenticated,
    );
  });

  it('wrong key → Unauthenticated, and the key is not echoed', async () => {
    const error = await rejection(notificationClient(harness.baseUrl, 'grpc', 'not-a-key').trigger(request));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.message).not.toContain('not-a-key');
  });

  it('key without the scope → PermissionDenied; with it → OK', async () => {
    expect(
      (await rejection(notificationClient(harness.baseUrl, 'grpc', 'read-key').trigger(request))).code,
    ).toBe(Code.PermissionDenied);
    const ok = await notificationClient(harness.baseUrl, 'grpc', 'trigger-key').trigger(request);
    expect(ok.notifications).toHaveLength(1);
    const read = await notificationClient(harness.baseUrl, 'connect-h1', 'read-key').getNotification({
      id: ok.notifications[0]?.id ?? '',
    });
    expect(read.notification?.userId).toBe('auth-user');
  });

  it('health needs no key', async () => {
    const response = await fetch(`${harness.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect((await fetch(`${harness.baseUrl}/readyz`)).status).toBe(200);
  });
});

describe('HTTP/2 stream cap', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway({ server: { maxConcurrentStreams: 7 } });
  });
  afterAll(() => harness?.stop());

  it('announces server.maxConcurrentStreams in its HTTP/2 SETTINGS, so clients queue beyond it', async () => {
    const session = http2.connect(harness.baseUrl);
    try {
      const settings = await new Promise<http2.Settings>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(settings.maxConcurrentStreams).toBe(7);
    } finally {
      session.close();
    }
  });
});

describe('load shedding', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway({ server: { maxInFlightTriggers: 1 } });
  });
  afterAll(() => harness?.stop());

  it('past server.maxInFlightTriggers a Trigger is ResourceExhausted (overloaded) and stores nothing', async () => {
    const client = notificationClient(harness.baseUrl);
    const userId = 'shed-user';
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        client.trigger({ userId, triggerId: `shed-${i}`, message: { text: 'x' }, channels: ['mock'] }),
      ),
    );
    const rejected = results
      .filter((result) => result.status === 'rejected')
      .map((result) => ConnectError.from(result.reason));
    const accepted = results.filter((result) => result.status === 'fulfilled');
    expect(rejected.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    for (const error of rejected) {
      expect(error.code).toBe(Code.ResourceExhausted);
      expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe('overloaded');
    }
    const stored = await client.listNotifications({ userId, pageSize: 100 });
    expect(stored.notifications).toHaveLength(accepted.length);
  });
});
