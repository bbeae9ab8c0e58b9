import { fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import type { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { NotificationService } from '../../src/gen/notify/v1/notification_service_pb.js';
import { ScheduleService } from '../../src/gen/notify/v1/schedule_service_pb.js';
import { startEmbeddedGateway } from '../helpers/embedded-gateway.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/*
 * Issue 12 items 2, 3, 7 and the ErrorInfo part of 9, over the real RPC (Connect JSON over
 * HTTP/1.1, gRPC and gRPC-Web) against a gateway on MariaDB + RabbitMQ and one on embedded SQLite.
 */

const OVERRIDES = {
  delivery: { maxTextLength: 100, templates: { digest: 'Digest: {{body}}' } },
};

interface Harness {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

const GATEWAYS: Array<{ name: string; start(overrides?: Record<string, unknown>): Promise<Harness> }> = [
  { name: 'MariaDB + RabbitMQ', start: (overrides = OVERRIDES) => startTestGateway(overrides) },
  { name: 'embedded SQLite', start: (overrides = OVERRIDES) => startEmbeddedGateway(overrides) },
];

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error('expected the call to fail');
}

function infoOf(error: ConnectError) {
  return error.findDetails(ErrorInfoSchema)[0];
}

/** A Connect unary call with a raw JSON body, as curl sends it; returns the status and the JSON answer. */
async function postJson(
  baseUrl: string,
  method: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/notify.v1.${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The ErrorInfo of a Connect JSON error answer. */
function jsonErrorInfo(json: Record<string, unknown>) {
  const details = (json.details ?? []) as Array<{ type: string; value: string }>;
  const detail = details.find((entry) => entry.type === 'google.rpc.ErrorInfo');
  return detail ? fromBinary(ErrorInfoSchema, Buffer.from(detail.value, 'base64')) : undefined;
}

describe.each(GATEWAYS)('request hardening on $name', (gatewayKind) => {
  let harness: Harness;
  let notifications: Client<typeof NotificationService>;
  let configs: Client<typeof ConfigService>;
  let schedules: Client<typeof ScheduleService>;
  const run = Math.random().toString(36).slice(2, 8);
  const user = (name: string) => `${name}-${run}`;

  beforeAll(async () => {
    harness = await gatewayKind.start();
    const transport = createGrpcTransport({ baseUrl: harness.baseUrl });
    notifications = createClient(NotificationService, transport);
    configs = createClient(ConfigService, transport);
    schedules = createClient(ScheduleService, transport);
  });
  afterAll(() => harness?.stop());

  describe('item 2: identities are exact', () => {
    const trigger = (change: Record<string, unknown>) => ({
      userId: user('alice'),
      triggerId: 't-2',
      message: { text: 'hi' },
      channels: ['mock'],
      ...change,
    });

    it.each([
      ['user_id', { userId: `${user('alice')} ` }],
      ['user_id', { userId: `\u00a0${user('alice')}` }],
      ['trigger_id', { triggerId: 't-2 ' }],
      ['dedupe_key', { dedupeKey: 'k\n1' }],
      ['channels[0]', { channels: ['mock '] }],
    ])(
      'Trigger with %s padded or with a control character → InvalidArgument naming it',
      async (field, change) => {
        const error = await rejection(notifications.trigger(trigger(change)));
        expect(error.code).toBe(Code.InvalidArgument);
        expect(error.rawMessage.startsWith(`${field}:`)).toBe(true);
        expect(infoOf(error)).toMatchObject({ reason: 'invalid_value', metadata: { field } });
      },
    );

    it('"alice " never reaches alice\'s record, over Connect JSON either', async () => {
      const first = await notifications.trigger(trigger({ message: { text: "alice's secret" } }));
      expect(first.notifications[0]?.deduplicated).toBe(false);
      const { status, json } = await postJson(harness.baseUrl, 'NotificationService/Trigger', {
        user_id: `${user('alice')} `,
        trigger_id: 't-2',
        message: { text: 'hi' },
        channels: ['mock'],
      });
      expect(status).toBe(400);
      expect(json.code).toBe('invalid_argument');
      expect(JSON.stringify(json)).not.toContain("alice's secret");
      expect(jsonErrorInfo(json)).toMatchObject({ reason: 'invalid_value', metadata: { field: 'user_id' } });
    });

    it('every RPC that takes an id refuses a padded one, naming the field', async () => {
      const padded = `${user('carol')} `;
      const calls: Array<[string, Promise<unknown>]> = [
        ['id', notifications.getNotification({ id: `${'0'.repeat(35)} ` })],
        ['id', notifications.cancelNotification({ id: ' x' })],
        ['id', notifications.retryNotification({ id: 'x\t' })],
        ['user_id', notifications.listNotifications({ userId: padded })],
        ['trigger_id', notifications.listNotifications({ triggerId: 't-2 ' })],
        ['user_id', configs.upsertChannelConfig({ userId: padded, channel: 'mock', enabled: true })],
        ['user_id', configs.getUserConfig({ userId: padded })],
        ['user_id', configs.deleteChannelConfig({ userId: padded, channel: 'mock' })],
        ['channel', configs.deleteChannelConfig({ userId: user('carol'), channel: 'mock ' })],
        ['user_id', configs.testChannel({ userId: padded, channel: 'mock' })],
        ['job_key', schedules.getJob({ jobKey: 'job-1 ' })],
        ['job_key', schedules.cancelJob({ jobKey: '\u0000job' })],
        ['user_id', schedules.listJobs({ userId: padded })],
        [
          'job_key',
          schedules.scheduleJob({
            jobKey: 'job-1 ',
            dueAt: timestampFromDate(new Date(Date.now() + 3_600_000)),
            trigger: trigger({}),
          }),
        ],
        [
          'trigger.user_id',
          schedules.scheduleJob({
            jobKey: `job-${run}`,
            dueAt: timestampFromDate(new Date(Date.now() + 3_600_000)),
            trigger: trigger({ userId: padded }),
          }),
        ],
      ];
      for (const [field, call] of calls) {
        const error = await rejection(call);
        expect(error.code, field).toBe(Code.InvalidArgument);
        expect(infoOf(error)?.metadata.field, error.rawMessage).toBe(field);
      }
      // The padded config writes above stored nothing: carol has no settings.
      expect((await configs.getUserConfig({ userId: user('carol') })).channels).toHaveLength(0);
    });
  });

  describe('item 3: every size is checked as stored', () => {
    it('accepts metadata at the documented limits in CJK and in quotes', async () => {
      for (const fill of ['日', '"']) {
        const metadata: Record<string, string> = {};
        for (let i = 0; i < 32; i++)
          metadata[`${'k'.repeat(60)}${String(i).padStart(4, '0')}`] = fill.repeat(1024);
        const answer = await notifications.trigger({
          userId: user('meta'),
          triggerId: `meta-${fill}`,
          message: { text: 'hi' },
          channels: ['mock'],
          metadata,
        });
        expect(answer.notifications[0]?.deduplicated).toBe(false);
      }
    });

    it('a 200-character user_id on UpsertChannelConfig → InvalidArgument field_too_long', async () => {
      const error = await rejection(
        configs.upsertChannelConfig({ userId: 'u'.repeat(200), channel: 'mock', enabled: true }),
      );
      expect(error.code).toBe(Code.InvalidArgument);
      expect(infoOf(error)).toMatchObject({ reason: 'field_too_long', metadata: { field: 'user_id' } });
    });

    it('a template rendering beyond delivery.maxTextLength is rejected, nothing stored', async () => {
      const error = await rejection(
        notifications.trigger({
          userId: user('template'),
          triggerId: 'digest-1',
          triggerType: 'digest',
          message: { variables: { body: 'x'.repeat(500) } },
          channels: ['mock'],
        }),
      );
      expect(error.code).toBe(Code.InvalidArgument);
      expect(infoOf(error)).toMatchObject({
        reason: 'text_too_long',
        metadata: { field: 'message.variables' },
      });
      expect(
        (await notifications.listNotifications({ userId: user('template') })).notifications,
      ).toHaveLength(0);
      const fits = await notifications.trigger({
        userId: user('template'),
        triggerId: 'digest-2',
        triggerType: 'digest',
        message: { variables: { body: 'x'.repeat(50) } },
        channels: ['mock'],
      });
      expect(fits.notifications[0]?.messageText).toBe(`Digest: ${'x'.repeat(50)}`);
    });

    it('TestChannel checks the text against delivery.maxTextLength and the user_id against its column', async () => {
      const long = await rejection(
        configs.testChannel({ userId: user('t'), channel: 'mock', text: 'x'.repeat(101) }),
      );
      expect(infoOf(long)).toMatchObject({ reason: 'text_too_long', metadata: { field: 'text' } });
      const wide = await rejection(configs.testChannel({ userId: 'u'.repeat(100_000), channel: 'mock' }));
      expect(infoOf(wide)).toMatchObject({ reason: 'field_too_long', metadata: { field: 'user_id' } });
      expect(wide.rawMessage.length).toBeLessThan(200);
    });

    it('errors echo at most 64 characters of a caller value', async () => {
      const key = `k${'y'.repeat(180)}`;
      const missing = await rejection(schedules.getJob({ jobKey: key }));
      expect(missing.code).toBe(Code.NotFound);
      expect(missing.rawMessage).toContain(`"${key.slice(0, 64)}…"`);
      expect(missing.rawMessage).not.toContain(key);
      const zone = await rejection(
        configs.upsertChannelConfig({
          userId: user('z'),
          channel: 'mock',
          enabled: true,
          timezone: 'Z'.repeat(5000),
        }),
      );
      expect(zone.code).toBe(Code.InvalidArgument);
      expect(zone.rawMessage.length).toBeLessThan(200);
    });
  });

  describe('item 7: nothing a caller sends is silently ignored', () => {
    it('an unknown JSON field ("critcal") → InvalidArgument naming it, with ErrorInfo', async () => {
      const { status, json } = await postJson(harness.baseUrl, 'NotificationService/Trigger', {
        user_id: user('typo'),
        trigger_id: 't1',
        message: { text: 'hi' },
        channels: ['mock'],
        critcal: true,
      });
      expect(status).toBe(400);
      expect(json.code).toBe('invalid_argument');
      expect(json.message).toContain('critcal');
      expect(jsonErrorInfo(json)).toMatchObject({ reason: 'malformed_request', domain: 'notify-gateway' });
      expect((await notifications.listNotifications({ userId: user('typo') })).notifications).toHaveLength(0);
    });

    it('an unknown enum name in JSON or an unknown enum number in binary → InvalidArgument', async () => {
      const { status, json } = await postJson(harness.baseUrl, 'NotificationService/ListNotifications', {
        statuses: ['NOTIFICATION_STATUS_BOGUS'],
      });
      expect(status).toBe(400);
      expect(json.message).toContain('NOTIFICATION_STATUS_BOGUS');
      expect(jsonErrorInfo(json)?.reason).toBe('malformed_request');
      const binary = await rejection(
        notifications.listNotifications({ statuses: [42 as NotificationStatus] }),
      );
      expect(binary.code).toBe(Code.InvalidArgument);
      expect(infoOf(binary)?.metadata.field).toBe('statuses[0]');
      const job = await postJson(harness.baseUrl, 'ScheduleService/ListJobs', { status: 'JOB_STATUS_BOGUS' });
      expect(job.status).toBe(400);
    });

    it('a reused dedupe key with another payload → AlreadyExists idempotency_key_reused; an identical repeat is deduplicated', async () => {
      const request = {
        userId: user('dedupe'),
        triggerId: 'order-1',
        dedupeKey: 'order-1-shipped',
        message: { text: 'Order 1 shipped' },
        channels: ['mock'],
        metadata: { a: '1', b: '2' },
      };
      const first = await notifications.trigger(request);
      expect(first.notifications[0]?.deduplicated).toBe(false);
      // Same payload, map entries in another order, another trace id: still the same request.
      const repeat = await notifications.trigger({
        ...request,
        metadata: { b: '2', a: '1' },
        traceId: 'other',
      });
      expect(repeat.notifications[0]).toMatchObject({ deduplicated: true, id: first.notifications[0]?.id });

      const reused = await rejection(
        notifications.trigger({ ...request, message: { text: 'Order 2 shipped' } }),
      );
      expect(reused.code).toBe(Code.AlreadyExists);
      expect(infoOf(reused)).toMatchObject({
        reason: 'idempotency_key_reused',
        metadata: { field: 'dedupe_key' },
      });

      const overJson = await postJson(harness.baseUrl, 'NotificationService/Trigger', {
        user_id: request.userId,
        trigger_id: 'order-1',
        dedupe_key: 'order-1-shipped',
        message: { text: 'Order 1 shipped' },
        channels: ['mock'],
        critical: true,
        metadata: { a: '1', b: '2' },
      });
      expect(overJson.status).toBe(409);
      expect(jsonErrorInfo(overJson.json)?.reason).toBe('idempotency_key_reused');

      // Without a dedupe_key the trigger_id is the key, and the error names it.
      await notifications.trigger({ ...request, dedupeKey: '', triggerId: 'order-9' });
      const byTrigger = await rejection(
        notifications.trigger({
          ...request,
          dedupeKey: '',
          triggerId: 'order-9',
          message: { text: 'changed' },
        }),
      );
      expect(infoOf(byTrigger)).toMatchObject({
        reason: 'idempotency_key_reused',
        metadata: { field: 'trigger_id' },
      });
      const listed = await notifications.listNotifications({ userId: request.userId });
      expect(listed.notifications.map((n) => n.messageText).sort()).toEqual([
        'Order 1 shipped',
        'Order 1 shipped',
      ]);
    });
  });

  describe('item 9: decode and size errors carry ErrorInfo', () => {
    const oversized = { userId: 'u', triggerId: 't', message: { text: 'x'.repeat(1_100_000) } };

    it('a request over server.maxRequestBytes → ResourceExhausted request_too_large on gRPC, gRPC-Web and Connect', async () => {
      const grpc = await rejection(notifications.trigger(oversized));
      expect(grpc.code).toBe(Code.ResourceExhausted);
      expect(infoOf(grpc)).toMatchObject({ reason: 'request_too_large', domain: 'notify-gateway' });
      const web = createClient(
        NotificationService,
        createGrpcWebTransport({ baseUrl: harness.baseUrl, httpVersion: '1.1' }),
      );
      const overWeb = await rejection(web.trigger(oversized));
      expect(overWeb.code).toBe(Code.ResourceExhausted);
      expect(infoOf(overWeb)?.reason).toBe('request_too_large');
      const { json } = await postJson(harness.baseUrl, 'NotificationService/Trigger', {
        user_id: 'u',
        trigger_id: 't',
        message: { text: 'x'.repeat(1_100_000) },
      });
      expect(json.code).toBe('resource_exhausted');
      expect(jsonErrorInfo(json)?.reason).toBe('request_too_large');
    });

    it('a body that is not JSON → InvalidArgument malformed_request', async () => {
      const { status, json } = await postJson(harness.baseUrl, 'NotificationService/Trigger', '{"user_id": ');
      expect(status).toBe(400);
      expect(jsonErrorInfo(json)?.reason).toBe('malformed_request');
    });
  });
});

describe('server.allowUnknownFields: true', () => {
  it('accepts and drops unknown JSON fields, for callers on a newer schema', async () => {
    const harness = await startEmbeddedGateway({ server: { allowUnknownFields: true } });
    try {
      const { status, json } = await postJson(harness.baseUrl, 'NotificationService/Trigger', {
        user_id: 'newer-client',
        trigger_id: 't1',
        message: { text: 'hi' },
        channels: ['mock'],
        field_from_the_future: 1,
      });
      expect(status).toBe(200);
      expect((json.notifications as unknown[]).length).toBe(1);
    } finally {
      await harness.stop();
    }
  });
});
