import { randomBytes } from 'node:crypto';
import { deleteTopology } from '../../src/adapters/amqp-bus/topology.js';
import type { GatewayConfig } from '../../src/core/config/gateway-config.js';
import { parseGatewayConfig } from '../../src/core/config/load-config.js';
import type { Clock } from '../../src/core/shared/clock.js';
import { createLogger, type Logger } from '../../src/core/shared/logger.js';
import { migrateDatabase } from '../../src/adapters/sql-store/open-store.js';
import type { MockProvider } from '../../src/plugins/mock/index.js';
import { startGateway, type GatewayMode, type RunningGateway } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { TEST_AMQP_URL, uniqueSuffix } from './test-env.js';

/** A real gateway on port 0 against its own MariaDB database and its own RabbitMQ names. */
export interface TestGateway {
  readonly gateway: RunningGateway;
  readonly config: GatewayConfig;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly database: TestDatabase;
  /** The live mock provider of a channel (default `mock`). */
  mock(channel?: string): MockProvider;
  stop(): Promise<void>;
}

type Overrides = Record<string, unknown>;

function merge(base: Overrides, overrides: Overrides): Overrides {
  const result: Overrides = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const existing = result[key];
    result[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      existing &&
      typeof existing === 'object' &&
      !Array.isArray(existing)
        ? merge(existing as Overrides, value as Overrides)
        : value;
  }
  return result;
}

/** The live mock provider of a gateway's channel (tests read what it was asked to send). */
export function mockOf(gateway: RunningGateway, channel = 'mock'): MockProvider {
  const loaded = gateway.channels.get(channel);
  if (!loaded) throw new Error(`no channel ${channel}`);
  return loaded.provider as MockProvider;
}

/** One encryption key for the whole test run (settings are sealed like in production). */
export const TEST_SECRET_KEYS = `test:${randomBytes(32).toString('base64')}`;

/** Test defaults: fast retries so retry paths finish in seconds; logs silent unless TEST_LOG_LEVEL. */
export function testConfig(
  databaseUrl: string,
  namePrefix: string,
  overrides: Overrides = {},
): GatewayConfig {
  return parseGatewayConfig(
    merge(
      {
        server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 5000 },
        database: { url: databaseUrl, poolSize: 5 },
        broker: { url: TEST_AMQP_URL, namePrefix, prefetch: 32 },
        retry: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 2000 },
        log: { level: process.env.TEST_LOG_LEVEL ?? 'silent' },
        channels: [{ id: 'mock', plugin: 'mock' }],
      },
      overrides,
    ),
  );
}

/** Start a gateway (default mode `all`) on a fresh database and broker prefix. */
export async function startTestGateway(
  overrides: Overrides = {},
  options: {
    mode?: GatewayMode;
    clock?: Clock;
    secretKeys?: string;
    /** The gateway's logger (default: silent unless TEST_LOG_LEVEL), e.g. to assert on log lines. */
    logger?: Logger;
    /** Reuse a database (and broker prefix) across gateways; it is then not dropped on stop. */
    shared?: { database: TestDatabase; namePrefix: string };
  } = {},
): Promise<TestGateway> {
  const database = options.shared?.database ?? (await createTestDatabase());
  const namePrefix = options.shared?.namePrefix ?? `t${uniqueSuffix()}.`;
  const config = testConfig(database.url, namePrefix, overrides);
  const logger = options.logger ?? createLogger(config.log.level);
  await migrateDatabase(config.database.url, logger);
  let gateway: RunningGateway;
  try {
    gateway = await startGateway({
      config,
      mode: options.mode ?? 'all',
      logger,
      clock: options.clock,
      secretKeys: options.secretKeys ?? TEST_SECRET_KEYS,
    });
  } catch (error) {
    if (!options.shared) await database.drop();
    throw error;
  }
  return {
    gateway,
    config,
    baseUrl: `http://127.0.0.1:${gateway.port}`,
    database,
    mock: (channel = 'mock') => mockOf(gateway, channel),
    async stop() {
      await gateway.stop();
      if (options.shared) return;
      await deleteTopology(TEST_AMQP_URL, namePrefix, config.broker.retryTiersMs).catch(() => undefined);
      await database.drop();
    },
  };
}
