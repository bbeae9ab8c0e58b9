import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Force-closes only the broker connections whose client `connection_name` is `name`, as the broker
 * would on a restart; other users of the shared RabbitMQ keep theirs. Returns how many it closed.
 */
export async function closeConnectionsNamed(name: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q']);
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${name}"}`))
    .map((line) => line.split('\t')[0] ?? '')
    .filter((pid) => pid.startsWith('<'));
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'test']);
  return pids.length;
}

/** Applies a policy to queues matching `pattern` (anchor it to a test prefix). */
export async function setQueuePolicy(name: string, pattern: string, definition: object): Promise<void> {
  await run('rabbitmqctl', ['set_policy', name, pattern, JSON.stringify(definition), '--apply-to', 'queues']);
}

/** Removes a policy set by {@link setQueuePolicy}. */
export async function clearPolicy(name: string): Promise<void> {
  await run('rabbitmqctl', ['clear_policy', name]);
}
