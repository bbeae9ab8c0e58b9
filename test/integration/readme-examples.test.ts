import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBuild, runGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { waitFor } from '../helpers/wait-for.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** Code blocks of README.md preceded by `<!-- readme-test: <marker> -->`, with their language. */
function markedBlocks(marker = 'run'): Array<{ lang: string; code: string }> {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const pattern = new RegExp(`<!-- readme-test: ${marker} -->\\n\`\`\`(\\w+)\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...readme.matchAll(pattern)].map((match) => ({ lang: match[1] ?? '', code: match[2] ?? '' }));
}

let gateway: GatewayProcess;
let port = 0;
let dataDir = '';

beforeAll(async () => {
  requireBuild();
  port = await freePort();
  dataDir = mkdtempSync(path.join(tmpdir(), 'ngw-readme-'));
  // The README's examples run against the embedded default, exactly as a newcomer would start it.
  gateway = runGateway('all', {
    NOTIFY_PORT: String(port),
    NOTIFY_DATABASE_URL: `sqlite:${path.join(dataDir, 'notify.sqlite')}`,
    NOTIFY_AMQP_URL: 'memory',
    NOTIFY_CONFIG: '',
    NOTIFY_SECRET_KEYS: '',
  });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true,
    'gateway',
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${gateway.output()}`);
  });
});

afterAll(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('README examples', () => {
  const blocks = markedBlocks();

  it('marks at least the buf curl, curl and grpc-js examples', () => {
    expect(blocks.map((block) => block.lang)).toEqual(['sh', 'sh', 'sh', 'js']);
  });

  it.each(blocks.map((block, index) => [index, block] as const))(
    'example %i runs and succeeds',
    async (_index, block) => {
      const code = block.code.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);
      if (block.lang === 'sh') {
        const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', code], {
          cwd: repoRoot,
          timeout: 60_000,
        });
        expect(stdout).toMatch(/notify\.v1\.NotificationService\/Trigger|"notifications"/);
        if (code.includes('/Trigger')) expect(stdout).toContain('"notifications"');
        return;
      }
      // The JS snippet imports packages by name: run it from the repository so node_modules resolves.
      const file = path.join(repoRoot, `.readme-example-${process.pid}.mjs`);
      writeFileSync(file, code);
      try {
        const { stdout } = await run(process.execPath, [file], { cwd: repoRoot, timeout: 30_000 });
        expect(stdout.trim()).toBe('NOTIFICATION_STATUS_PENDING');
      } finally {
        rmSync(file, { force: true });
      }
    },
  );
});

describe('README "From anomaly to message"', () => {
  let eventsGateway: GatewayProcess | undefined;
  let eventsPort = 0;
  let eventsDir = '';

  beforeAll(async () => {
    const [config] = markedBlocks('event-config');
    if (!config) throw new Error('README has no event-config block');
    eventsPort = await freePort();
    eventsDir = mkdtempSync(path.join(tmpdir(), 'ngw-readme-events-'));
    const configFile = path.join(eventsDir, 'notify.yaml');
    writeFileSync(configFile, config.code);
    // The worked example's YAML, exactly as printed, on the embedded default.
    eventsGateway = runGateway('all', {
      NOTIFY_PORT: String(eventsPort),
      NOTIFY_DATABASE_URL: `sqlite:${path.join(eventsDir, 'notify.sqlite')}`,
      NOTIFY_AMQP_URL: 'memory',
      NOTIFY_CONFIG: configFile,
      NOTIFY_SECRET_KEYS: '',
    });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${eventsPort}/healthz`).catch(() => undefined))?.ok === true,
      'events gateway',
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${eventsGateway?.output() ?? ''}`);
    });
  });

  afterAll(async () => {
    eventsGateway?.child.kill('SIGTERM');
    await eventsGateway?.exited;
    if (eventsDir) rmSync(eventsDir, { recursive: true, force: true });
  });

  it('PublishEvent through buf curl, then GetEvent shows the trace', async () => {
    const blocks = markedBlocks('event-run');
    expect(blocks.map((block) => block.lang)).toEqual(['sh']);
    const code = (blocks[0]?.code ?? '').replaceAll('127.0.0.1:8080', `127.0.0.1:${eventsPort}`);
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', code], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    // Two JSON answers: PublishEvent's, then GetEvent's trace.
    const trace = JSON.parse(stdout.slice(stdout.lastIndexOf('{\n  "event"'))) as {
      event: { eventId: string; fingerprint: string };
      decisions: Array<{ rule: string; userId: string; outcome: string; notificationId: string }>;
      notificationIds: string[];
    };
    expect(trace.event).toMatchObject({ eventId: 'task-42-overdue', fingerprint: 'task-42-overdue' });
    expect(trace.decisions.map((d) => [d.rule, d.userId, d.outcome])).toEqual([
      ['overdue-to-assignee', 'u-3', 'notified'],
      ['overdue-to-assignee', 'u-7', 'notified'],
      ['overdue-to-assignee', 'u-9', 'notified'],
    ]);
    expect(trace.notificationIds).toHaveLength(3);
  });
});
