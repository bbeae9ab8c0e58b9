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
import { notificationClient, waitForTerminal } from '../helpers/notify-clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { waitFor } from '../helpers/wait-for.js';

let database: TestDatabase;
const namePrefix = `p${uniqueSuffix()}.`;
const running: GatewayProcess[] = [];

function baseConfig(port: number) {
  return {
    server: { host: '127.0.0.1', port },
    database: { url: database.url },
    broker: { url: TEST_AMQP_URL, namePrefix },
    log: { level: 'info' },
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

beforeAll(async () => {
  requireBuild();
  database = await createTestDatabase();
});

afterAll(async () => {
  for (const process of running) process.child.kill('SIGKILL');
  await deleteTopology(TEST_AMQP_URL, namePrefix).catch(() => undefined);
  await database?.drop();
});

describe('notify-gateway bin', () => {
  it('migrate applies the schema once and is idempotent', async () => {
    const config = writeConfigFile(baseConfig(0));
    const first = runGateway('migrate', { NOTIFY_CONFIG: config });
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('migrations applied');
    const second = runGateway('migrate', { NOTIFY_CONFIG: config });
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('schema is up to date');
  });

  it('a bad config key exits non-zero naming its path', async () => {
    const config = writeConfigFile({ ...baseConfig(0), retry: { maxAtempts: 3 } });
    const run = runGateway('all', { NOTIFY_CONFIG: config });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('retry.maxAtempts');
  });

  it('refuses a non-loopback bind without API keys', async () => {
    const config = writeConfigFile({ ...baseConfig(0), server: { host: '0.0.0.0', port: 0 } });
    const run = runGateway('api', { NOTIFY_CONFIG: config });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('auth.apiKeys');
  });

  it('api and worker as separate processes deliver, and SIGTERM exits 0', async () => {
    const port = await freePort();
    const config = writeConfigFile(baseConfig(port));
    const workerPort = await freePort();
    const api = runGateway('api', { NOTIFY_CONFIG: config });
    const worker = runGateway('worker', {
      NOTIFY_CONFIG: writeConfigFile({ ...baseConfig(port), worker: { httpPort: workerPort } }),
    });
    running.push(api, worker);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(url);
    const client = notificationClient(url);
    const response = await client.trigger({
      userId: 'proc-user',
      triggerId: 'p1',
      message: { text: 'two processes' },
      channels: ['mock'],
    });
    const done = await waitForTerminal(client, response.notifications[0]?.id ?? '');
    expect(done.status).toBe(NotificationStatus.SENT);
    // The worker has no RPCs but serves readiness and its delivery metrics on worker.httpPort.
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    expect((await fetch(`${workerUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${workerUrl}/metrics`)).text();
    expect(metrics).toContain('notify_deliveries_total{channel="mock",outcome="success",error_code=""} 1');
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  });

  it('all mode in one process delivers too', async () => {
    const port = await freePort();
    const all = runGateway('all', { NOTIFY_CONFIG: writeConfigFile(baseConfig(port)) });
    running.push(all);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(url);
    const client = notificationClient(url);
    const response = await client.trigger({
      userId: 'proc-user',
      triggerId: 'p2',
      message: { text: 'one process' },
      channels: ['mock'],
    });
    expect((await waitForTerminal(client, response.notifications[0]?.id ?? '')).status).toBe(
      NotificationStatus.SENT,
    );
    all.child.kill('SIGTERM');
    expect(await all.exited).toBe(0);
  });
});

describe('an unmigrated database', () => {
  it('stops the gateway at boot with a message naming the migrate command', async () => {
    const empty = await createTestDatabase();
    try {
      const config = writeConfigFile({ ...baseConfig(0), database: { url: empty.url } });
      const run = runGateway('all', { NOTIFY_CONFIG: config });
      expect(await run.exited).toBe(2);
      expect(run.output()).toContain('notify-gateway migrate');
    } finally {
      await empty.drop();
    }
  });
});
