#!/usr/bin/env node
import { pino } from 'pino';
import { loadGatewayConfig } from './core/config/load-config.js';
import { ConfigError } from './core/contract/index.js';
import { createLogger } from './core/shared/logger.js';
import { migrateDatabase, openDatabase } from './adapters/sql-store/open-store.js';
import { SecretBox } from './core/secrets/secret-box.js';
import { parseSecretKeys } from './core/secrets/secret-keyring.js';
import type { Logger } from './core/shared/logger.js';
import { rotateSecrets } from './core/user-config/rotate-secrets.js';
import { startTelemetry } from './core/telemetry/start-telemetry.js';
import { startGateway, type GatewayMode } from './server.js';
import {
  deadLettersCommand,
  redriveCommand,
  statusCommand,
  UsageError,
} from './composition/operator-commands.js';

const USAGE =
  'usage: notify-gateway <api|worker|all|migrate|rotate-secrets|redrive|dead-letters|status> [options]';
const MODES = new Set([
  'api',
  'worker',
  'all',
  'migrate',
  'rotate-secrets',
  'redrive',
  'dead-letters',
  'status',
]);
const OPERATOR_COMMANDS = new Set(['redrive', 'dead-letters', 'status']);
const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** `rotate-secrets`: re-encrypt every stored setting with the first (newest) key. */
async function rotateStoredSecrets(url: string, keys: string | undefined, logger: Logger): Promise<number> {
  const database = await openDatabase(url, 2, logger);
  try {
    return await rotateSecrets(
      database.userConfigs,
      new SecretBox(parseSecretKeys(keys), false),
      () => new Date(),
    );
  } finally {
    await database.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const mode = argv[0] ?? 'all';
  if (!MODES.has(mode)) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const config = loadGatewayConfig();
  const args = argv.slice(1);
  if (OPERATOR_COMMANDS.has(mode)) {
    // Logs go to stderr so that stdout carries only the command's answer (scripts parse it).
    const logger = createLogger(config.log.level, pino.destination(2));
    if (mode === 'redrive') return redriveCommand(args, config, logger, print);
    if (mode === 'dead-letters') return deadLettersCommand(args, config, print);
    return statusCommand(config, logger, print);
  }
  const logger = createLogger(config.log.level);
  if (mode === 'migrate') {
    const applied = await migrateDatabase(config.database.url, logger);
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'schema is up to date');
    return 0;
  }
  if (mode === 'rotate-secrets') {
    const rotated = await rotateStoredSecrets(config.database.url, process.env.NOTIFY_SECRET_KEYS, logger);
    logger.info({ rotated }, 'channel settings re-encrypted with the newest key');
    return 0;
  }
  // Before the gateway starts, so the first RPC and delivery are already traced (when configured).
  const stopTelemetry = await startTelemetry(process.env, mode);
  if (stopTelemetry) logger.info({}, 'OpenTelemetry trace export on (OTLP/HTTP)');
  const gateway = await startGateway({ config, mode: mode as GatewayMode, logger });
  return new Promise<number>((resolve) => {
    let stopping = false;
    // Listeners stay installed for the whole drain: with `once`, a second signal would hit Node's
    // default action and kill the process mid-drain. Ctrl-C on `npm start` sends one: the terminal
    // signals the process group and npm forwards its own SIGINT about 0.4 ms later.
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'already shutting down: still draining in-flight sends');
        return;
      }
      stopping = true;
      logger.info({ signal }, 'shutting down: draining RPCs and deliveries');
      gateway
        .stop()
        // The last spans (the shutdown's own deliveries) are flushed before the process exits.
        .then(() =>
          stopTelemetry?.().catch((error: unknown) => logger.warn({ err: error }, 'trace flush failed')),
        )
        .then(
          () => resolve(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
      process.exit(64);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`config error: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `notify-gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
