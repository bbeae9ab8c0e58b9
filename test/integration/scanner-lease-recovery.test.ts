import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptOutcome, NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { startCountingSink, type CountingSink } from '../helpers/counting-sink.js';
import {
  requireBuild,
  runGateway,
  writeConfigFile,
  type GatewayProcess,
} from '../helpers/gateway-process.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { startTestGateway, TEST_SECRET_KEYS, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

let sink: CountingSink;
let api: TestGateway;
let client: NotificationClient;
let configFile: string;
const children: GatewayProcess[] = [];

beforeAll(async () => {
  requireBuild();
  sink = await startCountingSink();
  const mock = { plugin: 'mock', config: { sinkUrl: '' } };
  api = await startTestGateway(
    {
      worker: { leaseMs: 4000, sendTimeoutMs: 3500 },
      scanner: { intervalMs: 200, unknownOutcomePolicy: 'dead' },
      // `mock` dedupes by idempotency key like Feishu's uuid; `mock-raw` cannot (like the webhook bot).
      channels: [
        { id: 'mock', ...mock, config: { sinkUrl: sink.url, idempotent: true } },
        { id: 'mock-raw', ...mock, config: { sinkUrl: sink.url, idempotent: false } },
      ],
    },
    { mode: 'api' },
  );
  client = notificationClient(api.baseUrl);
  // The child workers run the built bin on the same database, broker prefix and channels.
  configFile = writeConfigFile({ ...api.config, log: { level: 'warn' } });
});

afterAll(async () => {
  for (const child of children) child.child.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  await api?.stop();
  await sink?.close();
});

function startWorker(): GatewayProcess {
  const child = runGateway('worker', { NOTIFY_CONFIG: configFile, NOTIFY_SECRET_KEYS: TEST_SECRET_KEYS });
  children.push(child);
  return child;
}

describe('a worker killed mid-send', () => {
  it('the next worker recovers the lease: idempotent → retried, delivered once; not idempotent → dead', async () => {
    // The provider receives both sends but answers neither before the worker dies.
    sink.holdNext(2, 60_000);
    const first = startWorker();
    const userId = `killed-${Date.now()}`;
    const response = await client.trigger({
      userId,
      triggerId: 'mid-send',
      message: { text: 'in flight when the worker died' },
      channels: ['mock', 'mock-raw'],
    });
    const [safe, raw] = response.notifications.map((n) => n.id);
    await waitFor(() => sink.received.length >= 2, 'both sends to reach the provider', 30_000);
    const inFlight = await client.getNotification({ id: safe ?? '' });
    expect(inFlight.notification?.status).toBe(NotificationStatus.SENDING);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    startWorker();
    const done = await waitForTerminal(client, safe ?? '', 30_000);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.attempts.map((a) => a.outcome)).toEqual([AttemptOutcome.UNKNOWN, AttemptOutcome.SUCCESS]);
    expect(done.attempts[0]?.possibleDuplicate).toBe(false);
    expect(done.attemptCount).toBe(2);

    const parked = await waitForTerminal(client, raw ?? '', 30_000);
    expect(parked.status).toBe(NotificationStatus.DEAD);
    expect(parked.lastErrorCode).toBe('outcome_unknown');
    expect(parked.attempts.map((a) => a.outcome)).toEqual([AttemptOutcome.UNKNOWN]);
    expect(parked.attempts[0]?.possibleDuplicate).toBe(true);

    const forSafe = sink.received.filter((delivery) => delivery.notificationId === safe);
    // Two calls reached the provider, one delivery: the retry carried the same idempotency key.
    expect(forSafe).toHaveLength(2);
    expect(new Set(forSafe.map((delivery) => delivery.idempotencyKey)).size).toBe(1);
    expect(sink.received.filter((delivery) => delivery.notificationId === raw)).toHaveLength(1);
    expect(sink.uniqueCount()).toBe(2);
    // Two process starts and three 30 s waits exceed the project's 60 s: on a slow machine the wait
    // that is slow must fail with its own message, not a bare test timeout.
  }, 150_000);
});
