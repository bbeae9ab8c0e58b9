import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopology } from '../../src/adapters/amqp-bus/topology.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import {
  freePort,
  requireBuild,
  runGateway,
  writeConfigFile,
  type GatewayProcess,
} from '../helpers/gateway-process.js';
import { notificationClient } from '../helpers/notify-clients.js';
import { loadGrpcJsService } from '../helpers/rpc-clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTestGateway } from '../helpers/test-gateway.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { waitFor } from '../helpers/wait-for.js';

let database: TestDatabase;
const namePrefix = `w${uniqueSuffix()}.`;
const running: GatewayProcess[] = [];

function baseConfig(port: number) {
  return {
    server: { host: '127.0.0.1', port },
    database: { url: database.url },
    broker: { url: TEST_AMQP_URL, namePrefix },
    log: { level: 'warn' },
    channels: [{ id: 'mock', plugin: 'mock' }],
  };
}

async function waitUntilServing(url: string): Promise<void> {
  await waitFor(
    async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true,
    `${url} to serve`,
    20_000,
  );
}

/** grpc-js server stream: every WatchNotificationsResponse status until the server ends the stream. */
function watchWithGrpcJs(url: string, request: object): { statuses: string[]; ended: Promise<void> } {
  const Service = loadGrpcJsService('notify/v1/notification_service.proto', 'notify.v1.NotificationService');
  const client = new Service(url.replace('http://', ''), grpc.credentials.createInsecure());
  const statuses: string[] = [];
  const call = (
    client as unknown as { WatchNotifications(request: object): grpc.ClientReadableStream<unknown> }
  ).WatchNotifications(request);
  call.on('data', (response: { notification: { status: string } }) =>
    statuses.push(response.notification.status),
  );
  const ended = new Promise<void>((resolve, reject) => {
    call.on('end', () => {
      client.close();
      resolve();
    });
    call.on('error', (error) => {
      client.close();
      reject(error);
    });
  });
  return { statuses, ended };
}

beforeAll(async () => {
  requireBuild();
  database = await createTestDatabase();
  const migrate = runGateway('migrate', { NOTIFY_CONFIG: writeConfigFile(baseConfig(0)) });
  expect(await migrate.exited).toBe(0);
});

afterAll(async () => {
  for (const process of running) process.child.kill('SIGKILL');
  await deleteTopology(TEST_AMQP_URL, namePrefix).catch(() => undefined);
  await database?.drop();
});

describe('WatchNotifications across processes', () => {
  it('grpc-js and connect-node both see PENDING → SENDING → SENT from a separate worker, then the stream ends', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = runGateway('api', { NOTIFY_CONFIG: writeConfigFile(baseConfig(port)) });
    running.push(api);
    await waitUntilServing(url);
    const client = notificationClient(url, 'connect-h1');
    const triggered = await client.trigger({
      userId: 'watch-user',
      triggerId: 'w1',
      message: { text: 'watched' },
      channels: ['mock'],
      // Long enough that SENDING is a state a watcher can see on its own.
      metadata: { mock_latency_ms: '400' },
    });
    const id = triggered.notifications[0]?.id ?? '';
    // No worker runs yet: both watchers start on PENDING.
    const viaGrpc = watchWithGrpcJs(url, { ids: [id] });
    const viaConnect: NotificationStatus[] = [];
    const connectDone = (async () => {
      for await (const response of client.watchNotifications({ ids: [id] })) {
        viaConnect.push(response.notification?.status ?? NotificationStatus.UNSPECIFIED);
      }
    })();
    // Also a user_id watch, which ends only when cancelled.
    const byUser = new AbortController();
    const userSeen: NotificationStatus[] = [];
    const userDone = (async () => {
      for await (const response of client.watchNotifications(
        { userId: 'watch-user' },
        { signal: byUser.signal },
      )) {
        userSeen.push(response.notification?.status ?? NotificationStatus.UNSPECIFIED);
      }
    })().catch(() => undefined);
    await waitFor(() => viaGrpc.statuses.length === 1 && viaConnect.length === 1, 'both watchers on PENDING');
    const worker = runGateway('worker', { NOTIFY_CONFIG: writeConfigFile(baseConfig(port)) });
    running.push(worker);
    await viaGrpc.ended;
    await connectDone;
    expect(viaGrpc.statuses).toEqual([
      'NOTIFICATION_STATUS_PENDING',
      'NOTIFICATION_STATUS_SENDING',
      'NOTIFICATION_STATUS_SENT',
    ]);
    expect(viaConnect).toEqual([
      NotificationStatus.PENDING,
      NotificationStatus.SENDING,
      NotificationStatus.SENT,
    ]);
    await waitFor(() => userSeen.includes(NotificationStatus.SENT), 'the user watch to see SENT');
    expect(userSeen).toEqual([
      NotificationStatus.PENDING,
      NotificationStatus.SENDING,
      NotificationStatus.SENT,
    ]);
    // A new trigger of the user reaches the open user watch from its first state.
    await client.trigger({
      userId: 'watch-user',
      triggerId: 'w2',
      message: { text: 'again' },
      channels: ['mock'],
    });
    await waitFor(() => userSeen.length >= 6, 'the second record on the user watch');
    expect(userSeen.slice(3)).toEqual([
      NotificationStatus.PENDING,
      NotificationStatus.SENDING,
      NotificationStatus.SENT,
    ]);
    byUser.abort();
    await userDone;
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  });

  it('answers INVALID_ARGUMENT naming the field, and NOT_FOUND for an unknown id', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = runGateway('api', { NOTIFY_CONFIG: writeConfigFile(baseConfig(port)) });
    running.push(api);
    await waitUntilServing(url);
    const client = notificationClient(url);
    const drain = async (request: object) => {
      for await (const _ of client.watchNotifications(request)) void _;
    };
    await expect(drain({})).rejects.toMatchObject({
      code: 3,
      rawMessage: expect.stringContaining('ids') as unknown,
    });
    await expect(drain({ ids: ['0190a4b2-0000-7000-8000-000000000000'] })).rejects.toMatchObject({ code: 5 });
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  });
});

describe('WatchNotifications on the embedded default (SQLite, in-process bus)', () => {
  it('streams a trigger to SENT', async () => {
    const gateway = await startTestGateway({
      database: { url: 'sqlite::memory:' },
      broker: { url: 'memory' },
    });
    try {
      const client = notificationClient(gateway.baseUrl);
      const triggered = await client.trigger({
        userId: 'embedded-watch',
        triggerId: 'e1',
        message: { text: 'embedded' },
        channels: ['mock'],
        metadata: { mock_latency_ms: '200' },
      });
      const seen: NotificationStatus[] = [];
      for await (const response of client.watchNotifications({
        ids: [triggered.notifications[0]?.id ?? ''],
      })) {
        seen.push(response.notification?.status ?? NotificationStatus.UNSPECIFIED);
      }
      expect(seen.at(-1)).toBe(NotificationStatus.SENT);
      expect(seen).toContain(NotificationStatus.SENDING);
    } finally {
      await gateway.stop();
    }
  });
});
