/**
 * The bare-stack baseline (docs/architecture.md §10, §8): what the gateway's trigger → SENT path costs with
 * nothing but connect-node, mysql2 and amqplib. Run as two processes like the gateway:
 *   node dist/bench/baseline-server.js api     Trigger → INSERT → confirmed publish → respond
 *   node dist/bench/baseline-server.js worker  consume → UPDATE sending → UPDATE sent → ack
 * Configured by BASELINE_* env (set by baseline-launcher.ts). No dedupe lookup, no attempts
 * table, no settings lookup, no logging: the floor the gateway is compared with.
 */
import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { connect, type Channel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { createPool, type Pool, type ResultSetHeader } from 'mysql2/promise';
import { NotificationStatus } from '../src/gen/notify/v1/notification_pb.js';
import { NotificationService } from '../src/gen/notify/v1/notification_service_pb.js';

const INSERT_SQL = `INSERT INTO notification_records
  (id, user_id, channel, trigger_id, message_text, dedupe_key, status, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`;
const CLAIM_SQL = `UPDATE notification_records SET status = 'sending', version = version + 1, updated_at = ?
  WHERE id = ? AND status = 'pending'`;
const SENT_SQL = `UPDATE notification_records
  SET status = 'sent', sent_at = ?, version = version + 1, updated_at = ?
  WHERE id = ? AND status = 'sending'`;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const queue = env('BASELINE_QUEUE');

function openPool(): Pool {
  // Same pool size and text protocol (query, not execute) as the gateway's TypeORM mysql driver.
  return createPool({
    uri: env('BASELINE_DB_URL'),
    connectionLimit: Number(process.env.BASELINE_POOL ?? 10),
    timezone: 'Z',
  });
}

async function openChannel<T extends Channel>(
  create: (model: Awaited<ReturnType<typeof connect>>) => Promise<T>,
) {
  const model = await connect(env('BASELINE_AMQP_URL'));
  const channel = await create(model);
  // Quorum, like the gateway's work queue.
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  return channel;
}

function publishConfirmed(channel: ConfirmChannel, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.publish('', queue, Buffer.from(id), { persistent: true, contentType: 'text/plain' }, (error) =>
      error ? reject(new Error(String(error))) : resolve(),
    );
  });
}

async function runApi(): Promise<void> {
  const pool = openPool();
  const channel = await openChannel((model) => model.createConfirmChannel());
  const routes = (router: ConnectRouter) =>
    router.service(NotificationService, {
      async trigger(request) {
        if (!request.userId) throw new ConnectError('user_id is required', Code.InvalidArgument);
        const now = new Date();
        const id = randomUUID();
        const channelId = request.channels[0] ?? 'mock';
        const text = request.message?.text ?? '';
        await pool.query(INSERT_SQL, [
          id,
          request.userId,
          channelId,
          request.triggerId,
          text,
          request.dedupeKey || request.triggerId,
          now,
          now,
        ]);
        await publishConfirmed(channel, id);
        return {
          notifications: [
            {
              id,
              userId: request.userId,
              channel: channelId,
              status: NotificationStatus.PENDING,
              messageText: text,
              triggerId: request.triggerId,
              createdAt: timestampFromDate(now),
            },
          ],
        };
      },
    });
  const server = http2.createServer(connectNodeAdapter({ routes }));
  server.listen(Number(env('BASELINE_PORT')), '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

async function runWorker(): Promise<void> {
  const pool = openPool();
  const channel = await openChannel((model) => model.createChannel());
  await channel.prefetch(Number(process.env.BASELINE_PREFETCH ?? 32));
  const handle = async (message: ConsumeMessage) => {
    const id = message.content.toString();
    try {
      const [claimed] = await pool.query<ResultSetHeader>(CLAIM_SQL, [new Date(), id]);
      if (claimed.affectedRows === 1) {
        // The no-op provider call would go here.
        const now = new Date();
        await pool.query(SENT_SQL, [now, now, id]);
      }
      channel.ack(message);
    } catch {
      channel.nack(message, false, true);
    }
  };
  await channel.consume(queue, (message) => {
    if (message) void handle(message);
  });
  process.once('SIGTERM', () => process.exit(0));
}

const mode = process.argv[2];
const main = mode === 'api' ? runApi : mode === 'worker' ? runWorker : undefined;
if (!main) {
  process.stderr.write('usage: baseline-server.js <api|worker>\n');
  process.exit(64);
}
main().then(
  () => process.stdout.write(`baseline ${mode} ready\n`),
  (error: unknown) => {
    process.stderr.write(`baseline ${mode} failed: ${String(error)}\n`);
    process.exit(1);
  },
);
