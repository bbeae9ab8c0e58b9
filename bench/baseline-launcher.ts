import { connect } from 'amqplib';
import { createConnection } from 'mysql2/promise';
import type { BenchConfig } from './bench-config.js';
import { createBenchDatabase, uniqueSuffix } from './bench-database.js';
import { freePort, spawnNode, stopChild, type Child } from './child-process.js';
import { childNodeArgs, distPath, raceExit, type RunningTarget } from './target.js';

/** A minimal copy of notification_records: the columns the baseline writes and the bench reads. */
const SCHEMA = `CREATE TABLE notification_records (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARCHAR(128) NOT NULL,
  channel VARCHAR(64) NOT NULL,
  trigger_id VARCHAR(191) NOT NULL,
  message_text MEDIUMTEXT NOT NULL,
  dedupe_key VARCHAR(191) NOT NULL,
  status VARCHAR(16) NOT NULL,
  sent_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  version INT NOT NULL DEFAULT 1,
  PRIMARY KEY (id),
  UNIQUE KEY uq_dedupe (user_id, channel, dedupe_key),
  KEY idx_status (status),
  KEY idx_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

async function waitLine(child: Child, line: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes(line)) {
    if (Date.now() > deadline) throw new Error(`${child.name} not ready:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function deleteQueue(amqpUrl: string, queue: string): Promise<void> {
  const model = await connect(amqpUrl);
  try {
    const channel = await model.createChannel();
    await channel.deleteQueue(queue);
    await channel.close();
  } finally {
    await model.close();
  }
}

/** The baseline (baseline-server.ts) as an api and a worker process, on its own database and queue. */
export async function launchBaseline(config: BenchConfig, run: number): Promise<RunningTarget> {
  const database = await createBenchDatabase(config.mysqlRootUrl, 'base');
  const queue = `bench-baseline-${uniqueSuffix()}`;
  const port = await freePort();
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child, 5000)));
    await database.drop().catch((e: unknown) => console.error(`drop ${database.name}: ${String(e)}`));
    await deleteQueue(config.amqpUrl, queue).catch((e: unknown) =>
      console.error(`delete queue ${queue}: ${String(e)}`),
    );
  };
  try {
    const connection = await createConnection(database.url);
    await connection.query(SCHEMA).finally(() => connection.end());
    const env = {
      BASELINE_DB_URL: database.url,
      BASELINE_AMQP_URL: config.amqpUrl,
      BASELINE_QUEUE: queue,
      BASELINE_PORT: String(port),
    };
    const script = distPath('bench/baseline-server.js');
    children.push(
      spawnNode('baseline-worker', script, ['worker'], env, childNodeArgs(config, 'baseline', run, 'worker')),
    );
    children.push(
      spawnNode('baseline-api', script, ['api'], env, childNodeArgs(config, 'baseline', run, 'api')),
    );
    await raceExit(Promise.all(children.map((child) => waitLine(child, 'ready', 30_000))), children);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: 'baseline', address: `127.0.0.1:${port}`, databaseUrl: database.url, children, stop };
}
