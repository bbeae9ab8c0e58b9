import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { connect } from 'amqplib';
import { deleteTopology } from '../../../src/adapters/amqp-bus/topology.js';
import { ConfigService } from '../../../src/gen/notify/v1/config_service_pb.js';
import {
  freePort,
  requireBuild,
  runGateway,
  writeConfigFile,
  type GatewayProcess,
} from '../../helpers/gateway-process.js';
import { notificationClient, type NotificationClient } from '../../helpers/notify-clients.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../../helpers/test-env.js';
import { waitFor } from '../../helpers/wait-for.js';

/** How a fault stack is configured: channels plus config overrides merged over fast test defaults. */
export interface FaultStackOptions {
  readonly channels: ReadonlyArray<Record<string, unknown>>;
  /** Top-level config sections merged (one level deep) over the defaults below. */
  readonly config?: Record<string, Record<string, unknown>>;
  /** Environment for every child but migrate (e.g. NOTIFY_DATABASE_URL pointing at a TCP proxy). */
  readonly env?: (database: TestDatabase) => Record<string, string>;
  /** Worker processes started with the stack (default 1). */
  readonly workers?: number;
}

/**
 * Real gateway processes (one `api`, N `worker`) from the built bin on a fresh MariaDB database and
 * a unique RabbitMQ prefix and connection name, so only this stack's connections are ever closed.
 */
export interface FaultStack {
  /** `http://127.0.0.1:<api port>` */
  readonly url: string;
  readonly client: NotificationClient;
  readonly configs: Client<typeof ConfigService>;
  readonly database: TestDatabase;
  readonly namePrefix: string;
  /** The broker `connection_name` of every child of this stack. */
  readonly connectionName: string;
  readonly api: GatewayProcess;
  readonly workers: GatewayProcess[];
  /** Start another worker (waits until it is connected to the broker). */
  startWorker(env?: Record<string, string>): Promise<GatewayProcess>;
  /** Every child's output, for a failing test's diagnosis. */
  output(): string;
  stop(): Promise<void>;
}

const DEFAULTS: Record<string, Record<string, unknown>> = {
  server: { host: '127.0.0.1', shutdownGraceMs: 5000 },
  broker: { prefetch: 32 },
  // maxDelayMs above the 3 s rate-limit reset the provider scenario sends: provider hints are clamped
  // to it, so a lower cap would retry before the reset (as it should, but not what that test checks).
  retry: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 5000, maxAttempts: 6 },
  worker: { leaseMs: 4000, sendTimeoutMs: 3000 },
  scanner: { intervalMs: 250, relayGraceMs: 2000 },
  log: { level: 'info' },
};

/** Consumers on the stack's `notify.deliver` queue (a worker process is ready once it counts). */
async function deliverConsumers(namePrefix: string): Promise<number> {
  const connection = await connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(`${namePrefix}notify.deliver`)).consumerCount;
  } finally {
    await connection.close();
  }
}

/** Waits until `live` workers consume, failing early (with its output) if `worker` exits. */
async function waitForConsumers(namePrefix: string, live: number, worker: GatewayProcess): Promise<void> {
  let exited = false;
  void worker.exited.then(() => (exited = true));
  await waitFor(
    async () => exited || (await deliverConsumers(namePrefix).catch(() => 0)) >= live,
    'worker consuming',
    30_000,
  );
  if (exited) throw new Error(`worker exited at start:\n${worker.output().slice(-3000)}`);
}

const alive = (child: GatewayProcess) => child.child.exitCode === null && child.child.signalCode === null;

/** Starts api + workers; migrate runs first as its own process, as in production. */
export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  requireBuild();
  const database = await createTestDatabase();
  const suffix = uniqueSuffix();
  const namePrefix = `f${suffix}.`;
  const connectionName = `ngw-fault-${suffix}`;
  const port = await freePort();
  const sections: Record<string, Record<string, unknown>> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options.config ?? {}))
    sections[key] = { ...sections[key], ...value };
  const configFile = writeConfigFile({
    ...sections,
    server: { ...sections.server, port },
    database: { url: database.url, poolSize: 5 },
    broker: { ...sections.broker, url: TEST_AMQP_URL, namePrefix, connectionName },
    channels: options.channels,
  });
  const env = { NOTIFY_CONFIG: configFile, ...options.env?.(database) };
  const children: GatewayProcess[] = [];
  const spawnChild = (mode: string, extra: Record<string, string> = {}) => {
    const child = runGateway(mode, { ...env, ...extra });
    children.push(child);
    return child;
  };
  // A hook that times out never calls stop(): never leave gateway children behind the test run.
  const killAll = () => children.forEach((child) => alive(child) && child.child.kill('SIGKILL'));
  process.once('exit', killAll);
  const stop = async () => {
    process.off('exit', killAll);
    killAll();
    await Promise.all(children.map((child) => child.exited));
    await deleteTopology(TEST_AMQP_URL, namePrefix).catch(() => undefined);
    await database.drop();
  };
  try {
    // Migrate against the real database even when the children go through a proxy.
    const migrate = runGateway('migrate', { NOTIFY_CONFIG: configFile });
    if ((await migrate.exited) !== 0) throw new Error(`migrate failed:\n${migrate.output()}`);
    const url = `http://127.0.0.1:${port}`;
    const api = spawnChild('api');
    await waitFor(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true,
      'api ready',
      30_000,
    );
    const workers: GatewayProcess[] = [];
    const startWorker = async (extra: Record<string, string> = {}) => {
      const worker = spawnChild('worker', extra);
      await waitForConsumers(namePrefix, workers.filter(alive).length + 1, worker);
      return worker;
    };
    for (let i = 0; i < (options.workers ?? 1); i++) workers.push(await startWorker());
    return {
      url,
      client: notificationClient(url),
      configs: createClient(ConfigService, createGrpcTransport({ baseUrl: url })),
      database,
      namePrefix,
      connectionName,
      api,
      workers,
      async startWorker(extra) {
        const worker = await startWorker(extra);
        workers.push(worker);
        return worker;
      },
      output: () => children.map((child) => child.output()).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Sends `signal` to a child and, for SIGKILL/SIGTERM, waits for its exit code. */
export async function signal(process: GatewayProcess, name: NodeJS.Signals): Promise<number | string | void> {
  process.child.kill(name);
  if (name === 'SIGKILL' || name === 'SIGTERM') return process.exited;
}
