import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshCheckout, npmStart, type NpmStart } from '../helpers/fresh-checkout.js';
import { freePort } from '../helpers/gateway-process.js';
import { bufCurl } from '../helpers/rpc-clients.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue #6 must-show: on a fresh checkout with no database or broker configured, `npm start` runs
// mode `all` on the embedded SQLite store and the in-process bus, and a restart loses nothing.
const started: NpmStart[] = [];
let dir: string | undefined;

afterAll(() => {
  for (const run of started) {
    if (run.npm.exitCode === null) {
      try {
        process.kill(run.serverPid(), 'SIGKILL');
      } catch {
        // Already gone.
      }
      run.npm.kill('SIGKILL');
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startGateway(cwd: string, port: number): Promise<NpmStart> {
  // Only what a newcomer has: no NOTIFY_DATABASE_URL, NOTIFY_AMQP_URL or NOTIFY_CONFIG.
  const run = npmStart(cwd, { NOTIFY_PORT: String(port) });
  started.push(run);
  // `npm start` builds first (prestart), so allow for a full tsc run on a busy machine.
  await waitFor(
    () => run.output().includes('notify-gateway listening') || run.npm.exitCode !== null,
    'npm start to listen',
    150_000,
  );
  if (!run.output().includes('notify-gateway listening')) {
    throw new Error(`npm start failed:\n${run.output()}`);
  }
  return run;
}

async function call(port: number, method: string, body: object): Promise<Record<string, unknown>> {
  const url = `http://127.0.0.1:${port}/notify.v1.NotificationService/${method}`;
  const { stdout } = await bufCurl(['--http2-prior-knowledge', url, '-d', JSON.stringify(body)]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function statusOf(port: number, id: string): Promise<string | undefined> {
  const response = await call(port, 'GetNotification', { id });
  return (response.notification as { status?: string } | undefined)?.status;
}

async function stop(run: NpmStart): Promise<void> {
  process.kill(run.serverPid(), 'SIGTERM');
  // npm exits with its script's code, which is the gateway's.
  expect(await run.exited).toBe(0);
  expect(run.output()).toContain('shutting down');
}

describe('embedded default', () => {
  it('npm start with no URLs: Trigger → SENT over buf curl, Ctrl-C mid-send and SIGTERM exit 0, restart keeps the records', async () => {
    dir = freshCheckout();
    const port = await freePort();
    const first = await startGateway(dir, port);
    expect(first.output()).toContain('embedded database migrated');
    const triggered = await call(port, 'Trigger', {
      user_id: 'u1',
      trigger_id: 't1',
      message: { text: 'hi' },
      channels: ['mock'],
    });
    const id = (triggered.notifications as Array<{ id: string }>)[0]?.id ?? '';
    expect(id).not.toBe('');
    await waitFor(async () => (await statusOf(port, id)) === 'NOTIFICATION_STATUS_SENT', 'SENT', 20_000);
    // Ctrl-C while a send is in flight: the terminal's SIGINT and npm's forwarded one (issue 12).
    const slow = await call(port, 'Trigger', {
      user_id: 'u1',
      trigger_id: 't-slow',
      message: { text: 'slow' },
      channels: ['mock'],
      metadata: { mock_latency_ms: '2000' },
    });
    const slowId = (slow.notifications as Array<{ id: string }>)[0]?.id ?? '';
    await waitFor(async () => (await statusOf(port, slowId)) === 'NOTIFICATION_STATUS_SENDING', 'SENDING');
    first.interrupt();
    // The two SIGINTs of one Ctrl-C may merge; pressing it again once the drain has begun always
    // reaches the gateway after its first handler ran.
    await waitFor(() => first.output().includes('shutting down'), 'the drain to begin');
    first.interrupt();
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('already shutting down');
    expect(existsSync(path.join(dir, '.data', 'notify.sqlite'))).toBe(true);

    const second = await startGateway(dir, port);
    expect(second.output()).not.toContain('embedded database migrated');
    const found = (await call(port, 'GetNotification', { id })).notification as Record<string, unknown>;
    expect(found).toMatchObject({ id, userId: 'u1', status: 'NOTIFICATION_STATUS_SENT', messageText: 'hi' });
    expect(found.attempts).toHaveLength(1);
    const drained = (await call(port, 'GetNotification', { id: slowId })).notification as Record<
      string,
      unknown
    >;
    expect(drained).toMatchObject({
      status: 'NOTIFICATION_STATUS_SENT',
      attempts: [{ outcome: 'ATTEMPT_OUTCOME_SUCCESS' }],
    });
    await stop(second);
  }, 400_000);
});
