import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GatewayConfig } from '../../src/core/config/gateway-config.js';
import { createLogger } from '../../src/core/shared/logger.js';
import type { MockProvider } from '../../src/plugins/mock/index.js';
import { startGateway, type RunningGateway } from '../../src/server.js';
import { mockOf, testConfig } from './test-gateway.js';

/** An in-process gateway in embedded mode: SQLite file in a temp dir, in-process bus, port 0. */
export interface EmbeddedGateway {
  readonly gateway: RunningGateway;
  readonly config: GatewayConfig;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** The SQLite database file. */
  readonly file: string;
  /** The live mock provider of a channel (default `mock`). */
  mock(channel?: string): MockProvider;
  /** Stops the gateway and deletes the temp dir. */
  stop(): Promise<void>;
}

/** Start mode `all` on `sqlite:<tmp>/x.sqlite` and `memory` (no migrate step: opening migrates). */
export async function startEmbeddedGateway(
  overrides: Record<string, unknown> = {},
): Promise<EmbeddedGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ngw-embedded-'));
  const file = path.join(dir, 'x.sqlite');
  const config = testConfig(`sqlite:${file}`, '', { broker: { url: 'memory' }, ...overrides });
  let gateway: RunningGateway;
  try {
    gateway = await startGateway({ config, mode: 'all', logger: createLogger(config.log.level) });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    gateway,
    config,
    baseUrl: `http://127.0.0.1:${gateway.port}`,
    file,
    mock: (channel = 'mock') => mockOf(gateway, channel),
    async stop() {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
