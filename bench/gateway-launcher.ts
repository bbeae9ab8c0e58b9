import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deleteTopology } from '../src/adapters/amqp-bus/topology.js';
import type { BenchConfig } from './bench-config.js';
import { createBenchDatabase, uniqueSuffix } from './bench-database.js';
import { freePort, spawnNode, stopChild, type Child } from './child-process.js';
import { childNodeArgs, distPath, raceExit, type RunningTarget } from './target.js';

/**
 * The V8 heap flags the gateway ships with (the Dockerfile's NODE_OPTIONS and `npm start`), so the
 * bench measures the gateway as deployed; test/unit/shipped-node-flags.test.ts keeps them equal.
 */
export const SHIPPED_NODE_FLAGS: readonly string[] = ['--max-old-space-size=160', '--max-semi-space-size=8'];

/** A fixed test key: the gateway on MySQL refuses to start without NOTIFY_SECRET_KEYS. */
const SECRET_KEYS = `bench:${Buffer.alloc(32, 7).toString('base64')}`;

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms`);
}

/**
 * The real gateway as two processes (`api` and `worker`) from dist/src/cli.js, on a fresh database
 * and a unique broker name prefix: mock channel at zero latency, log level warn, default retry,
 * pool and prefetch settings. `migrate` runs first.
 */
export async function launchGateway(
  config: BenchConfig,
  run: number,
  /** Top-level config sections added to the bench's own (bench/memory-attacks.ts adds `auth`). */
  extraConfig: Record<string, unknown> = {},
): Promise<RunningTarget> {
  const database = await createBenchDatabase(config.mysqlRootUrl, 'gw');
  const namePrefix = `bench${uniqueSuffix()}.`;
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'ngw-bench-'));
  const configFile = path.join(dir, 'notify.yaml');
  // JSON is valid YAML.
  // Experiments only: BENCH_GATEWAY_POOL / BENCH_GATEWAY_PREFETCH override the defaults (10 / 32).
  const pool = process.env.BENCH_GATEWAY_POOL;
  const prefetch = process.env.BENCH_GATEWAY_PREFETCH;
  const gatewayConfig = {
    server: { host: '127.0.0.1', port },
    database: { url: database.url, ...(pool ? { poolSize: Number(pool) } : {}) },
    broker: { url: config.amqpUrl, namePrefix, ...(prefetch ? { prefetch: Number(prefetch) } : {}) },
    log: { level: 'warn' },
    channels: [{ id: 'mock', plugin: 'mock', config: { latencyMs: 0 } }],
    ...extraConfig,
  };
  writeFileSync(configFile, JSON.stringify(gatewayConfig, null, 2));
  const env = { NOTIFY_CONFIG: configFile, NOTIFY_SECRET_KEYS: SECRET_KEYS };
  const cli = distPath('src/cli.js');
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    await database.drop().catch((e: unknown) => console.error(`drop ${database.name}: ${String(e)}`));
    await deleteTopology(config.amqpUrl, namePrefix).catch((e: unknown) =>
      console.error(`delete topology ${namePrefix}: ${String(e)}`),
    );
  };
  try {
    const migrate = spawnNode('migrate', cli, ['migrate'], env);
    const code = await migrate.exited;
    if (code !== 0) throw new Error(`migrate exited ${code}:\n${migrate.output()}`);
    // As shipped, then the experiment's flags (a later flag wins).
    const profileArgs = (role: string) => [
      ...SHIPPED_NODE_FLAGS,
      ...childNodeArgs(config, 'gateway', run, role),
    ];
    // The worker first, so it has declared the topology before the first publish.
    children.push(spawnNode('gateway-worker', cli, ['worker'], env, profileArgs('worker')));
    children.push(spawnNode('gateway-api', cli, ['api'], env, profileArgs('api')));
    await raceExit(waitHealthy(`http://127.0.0.1:${port}`, 30_000), children);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: 'gateway',
    address: `127.0.0.1:${port}`,
    databaseUrl: database.url,
    children,
    stop,
  };
}
