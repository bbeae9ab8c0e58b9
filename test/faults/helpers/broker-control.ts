import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { TEST_AMQP_URL } from '../../helpers/test-env.js';

const run = promisify(execFile);

/** Messages sitting in the stack's `notify.dead` queue. */
export async function deadLetterCount(namePrefix: string): Promise<number> {
  const connection = await connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(`${namePrefix}notify.dead`)).messageCount;
  } finally {
    await connection.close();
  }
}

/** Publishes a raw body to the stack's work exchange as a delivery for `channel`, bypassing the bus. */
export async function publishRaw(namePrefix: string, channel: string, body: Buffer): Promise<void> {
  const connection = await connect(TEST_AMQP_URL);
  try {
    const confirm = await connection.createConfirmChannel();
    confirm.publish(`${namePrefix}notify`, `notification.${channel}.requested`, body, { persistent: true });
    await confirm.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Benchmark or vitest processes that are not this run (its ancestors and their other children). */
export async function otherBrokerUsers(): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  const rows = stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args ?? '' }));
  const parentOf = new Map(rows.map((row) => [row.pid, row.ppid]));
  const mine = new Set<number>();
  for (let pid: number | undefined = process.pid; pid && !mine.has(pid); pid = parentOf.get(pid))
    mine.add(pid);
  return rows
    .filter((row) => /dist\/bench\/run\.js|vitest/.test(row.args))
    .filter((row) => !mine.has(row.pid) && !mine.has(row.ppid))
    .map((row) => `${row.pid} ${row.args}`);
}

/**
 * Stops the RabbitMQ application for `ms`, then starts it again no matter what, and waits until
 * `rabbitmqctl status` answers. The node (and everyone else's queues) survive; connections do not.
 */
export async function stopBrokerFor(ms: number, during?: () => Promise<void>): Promise<void> {
  await run('rabbitmqctl', ['stop_app']);
  try {
    const until = Date.now() + ms;
    await during?.();
    const left = until - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  } finally {
    await run('rabbitmqctl', ['start_app']);
    await run('rabbitmqctl', ['await_startup']);
    await run('rabbitmqctl', ['status']);
  }
}
