import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  requireBuild,
  runGateway,
  writeConfigFile,
  type GatewayProcess,
} from '../helpers/gateway-process.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue 12 items 9 and 10: config mistakes exit 2 naming where they are; a repeated Ctrl-C during
// a drain does not abandon the sends in flight, and the process exits 0 after finishing them.
const running: GatewayProcess[] = [];

/** The slice of better-sqlite3 this test reads the embedded store with (the package ships no types). */
interface SqliteFile {
  prepare(sql: string): { all(...params: unknown[]): Array<{ status: string }> };
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  file: string,
  options: { readonly: boolean },
) => SqliteFile;
const dirs: string[] = [];

beforeAll(() => requireBuild());

afterAll(() => {
  for (const run of running) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ngw-exit-'));
  dirs.push(dir);
  return dir;
}

function run(mode: string, env: Record<string, string>): GatewayProcess {
  const started = runGateway(mode, env);
  running.push(started);
  return started;
}

describe('config errors exit 2 with the path', () => {
  it('malformed YAML names the file, line and column', async () => {
    const file = path.join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'server:\n  port: 8080\nretry: { maxAttempts: 3\n');
    const gateway = run('all', { NOTIFY_CONFIG: file });
    expect(await gateway.exited).toBe(2);
    expect(gateway.output()).toMatch(new RegExp(`config error: ${file}:\\d+:\\d+: invalid YAML`));
  });

  it('a key repeated in one mapping names the key, not its (possibly secret) value', async () => {
    const file = path.join(tempDir(), 'dup.yaml');
    writeFileSync(file, 'log:\n  level: info\nserver:\n  port: 8080\n  port: 9090\n');
    const gateway = run('all', { NOTIFY_CONFIG: file });
    expect(await gateway.exited).toBe(2);
    expect(gateway.output()).toContain(
      `config error: ${file}:5:3: invalid YAML: Map keys must be unique (key "port")`,
    );
    expect(gateway.output()).not.toContain('9090');
  });

  it('an unknown log.level (file or NOTIFY_LOG_LEVEL) names log.level', async () => {
    const fromFile = run('all', { NOTIFY_CONFIG: writeConfigFile({ log: { level: 'verbose' } }) });
    expect(await fromFile.exited).toBe(2);
    expect(fromFile.output()).toMatch(/config error: log\.level: /);
    const fromEnv = run('all', { NOTIFY_CONFIG: '', NOTIFY_LOG_LEVEL: 'loud' });
    expect(await fromEnv.exited).toBe(2);
    expect(fromEnv.output()).toMatch(/config error: log\.level: /);
  });
});

describe('shutdown', () => {
  it('a second SIGINT 0.4 ms after the first (npm start + Ctrl-C) still drains in-flight sends and exits 0', async () => {
    const dir = tempDir();
    const port = await freePort();
    const config = writeConfigFile({
      server: { port, shutdownGraceMs: 15_000 },
      database: { url: `sqlite:${path.join(dir, 'notify.sqlite')}` },
      log: { level: 'info' },
      channels: [{ id: 'mock', plugin: 'mock', config: { latencyMs: 1500 } }],
    });
    const gateway = run('all', { NOTIFY_CONFIG: config });
    await waitFor(() => gateway.output().includes('notify-gateway listening'), 'listening', 30_000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/notify.v1.NotificationService/Trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          user_id: `u${i}`,
          trigger_id: 't',
          message: { text: 'hi' },
          channels: ['mock'],
        }),
      });
      const body = (await response.json()) as { notifications: Array<{ id: string }> };
      ids.push(body.notifications[0]?.id ?? '');
    }
    const db = new Database(path.join(dir, 'notify.sqlite'), { readonly: true });
    const statuses = () =>
      db
        .prepare(`SELECT status FROM notification_records WHERE id IN (${ids.map(() => '?').join(', ')})`)
        .all(...ids)
        .map((row) => row.status);
    await waitFor(
      () => statuses().filter((status) => status === 'sending').length === 5,
      'all sending',
      10_000,
    );
    const pid = gateway.child.pid ?? 0;
    process.kill(pid, 'SIGINT');
    // Sent this close together the kernel may merge the two; the one after the drain has begun is
    // the one `process.once` left to the default action (killed with the sends in flight).
    process.kill(pid, 'SIGINT');
    await waitFor(() => gateway.output().includes('shutting down'), 'drain to start', 5_000);
    process.kill(pid, 'SIGINT');
    expect(await gateway.exited).toBe(0);
    expect(statuses()).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    expect(gateway.output()).toContain('already shutting down');
    db.close();
  }, 60_000);
});
