import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/gateway-process.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const API_KEY = 'client-package-test-key';

/** Bare imports the client may load at run time: connect and protobuf, never the server's stack. */
const CLIENT_RUNTIME_PACKAGES = new Set([
  '@connectrpc/connect',
  '@connectrpc/connect-node',
  '@bufbuild/protobuf',
]);

/** Every relative module reachable from `entry` and every bare package it imports (static graph). */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g,
    )) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
      else
        packages.add(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] ?? ''),
        );
    }
  };
  visit(entry);
  return { files, packages };
}

/** What the script in the temp project prints for one protocol. */
interface ProtocolReport {
  readonly id: string;
  readonly status: string;
  readonly deduplicatedOnRepeat: boolean;
  readonly wrongKeyCode: number;
  readonly deadlineCode: number;
}

const CALLER_SCRIPT = `
import net from 'node:net';
import { Code, ConnectError } from '@connectrpc/connect';
import { createNotifyClient, NotificationStatus, NotificationService } from 'notify-gateway/client';

const [baseUrl, apiKey] = process.argv.slice(2);
// A server that accepts and never answers: only the client's deadline can end a call to it.
const silent = net.createServer(() => undefined);
await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentUrl = 'http://127.0.0.1:' + silent.address().port;
const codeOf = (promise) => promise.then(() => -1, (error) => ConnectError.from(error).code);
const report = { typeName: NotificationService.typeName };
for (const protocol of ['grpc', 'connect']) {
  const client = createNotifyClient({ baseUrl, apiKey, protocol });
  const request = { userId: 'packed-' + protocol, triggerId: 't1', message: { text: 'from the packed client' }, channels: ['mock'] };
  const first = await client.notifications.trigger(request);
  const id = first.notifications[0].id;
  let status;
  for (let i = 0; i < 200; i++) {
    status = (await client.notifications.getNotification({ id })).notification.status;
    if (status === NotificationStatus.SENT) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const repeat = await client.notifications.trigger(request);
  const wrongKey = createNotifyClient({ baseUrl, apiKey: 'wrong', protocol });
  const hung = createNotifyClient({ baseUrl: silentUrl, protocol, timeoutMs: 300 });
  report[protocol] = {
    id,
    status: NotificationStatus[status],
    deduplicatedOnRepeat: repeat.notifications[0].deduplicated && repeat.notifications[0].id === id,
    wrongKeyCode: await codeOf(wrongKey.notifications.getNotification({ id })),
    deadlineCode: await codeOf(hung.notifications.getNotification({ id })),
  };
  for (const c of [client, wrongKey, hung]) c.close();
}
silent.close();
console.log(JSON.stringify({ ...report, codes: { unauthenticated: Code.Unauthenticated, deadline: Code.DeadlineExceeded } }));
process.exit(0);
`;

const TYPED_CALLER = `
import { createNotifyClient, type TriggerResponse } from 'notify-gateway/client';
const client = createNotifyClient({ baseUrl: 'http://127.0.0.1:1', protocol: 'connect', timeoutMs: 500 });
export const answer: Promise<TriggerResponse> = client.notifications.trigger({ userId: 'u', triggerId: 't' });
// @ts-expect-error user_id is a string: a typed client rejects a number at compile time
void client.notifications.trigger({ userId: 42 });
`;

describe('the packed notify-gateway/client, installed outside the repository', () => {
  let work: string;
  let app: string;
  let packedFiles: string[];
  let harness: TestGateway;

  beforeAll(async () => {
    requireBuild();
    work = mkdtempSync(path.join(tmpdir(), 'ngw-client-pack-'));
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repoRoot });
    const [manifest] = JSON.parse(packed.stdout) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    if (!manifest) throw new Error('npm pack printed no manifest');
    packedFiles = manifest.files.map((file) => file.path);
    app = path.join(work, 'app');
    mkdirSync(app);
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'app', private: true, type: 'module' }),
    );
    // From npm's cache where it can; --ignore-scripts: the client needs no native build (better-sqlite3
    // is the server's, and never loaded by the client).
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        path.join(work, manifest.filename),
      ],
      { cwd: app },
    );
    harness = await startTestGateway({
      auth: {
        apiKeys: [
          { name: 'packed', sha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['admin'] },
        ],
      },
    });
  }, 240_000);

  afterAll(async () => {
    await harness?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs the client, its declarations, the protos and the descriptor set, without tests (but the kit) or source maps', () => {
    for (const file of [
      'dist/src/client/index.js',
      'dist/src/client/index.d.ts',
      'dist/src/gen/notify/v1/notification_service_pb.js',
      'descriptors/notify.binpb',
      'proto/google/rpc/status.proto',
      'proto/google/rpc/error_details.proto',
      'proto/notify/v1/notification_service.proto',
    ])
      expect(packedFiles, file).toContain(file);
    // dist/test/kit is the plugin authors' test kit (`notify-gateway/testing`); no other test code ships.
    expect(packedFiles).toContain('dist/test/kit/index.js');
    expect(packedFiles.filter((file) => /^dist\/(test\/(?!kit\/)|bench\/)|\.map$/.test(file))).toEqual([]);
  });

  it('loads only connect and protobuf: no database, broker or plugin module is reachable from the entry', () => {
    const installed = path.join(app, 'node_modules/notify-gateway');
    const { files, packages } = importGraph(path.join(installed, 'dist/src/client/index.js'));
    expect([...packages].filter((name) => !CLIENT_RUNTIME_PACKAGES.has(name))).toEqual([]);
    const reached = [...files].map((file) => path.relative(installed, file));
    expect(reached.filter((file) => !/^dist\/src\/(client|gen)\//.test(file))).toEqual([]);
    expect(existsSync(path.join(installed, 'descriptors/notify.binpb'))).toBe(true);
  });

  it('calls a running gateway over gRPC and over Connect, with its API key, retries safely and keeps deadlines', async () => {
    writeFileSync(path.join(app, 'caller.mjs'), CALLER_SCRIPT);
    const { stdout } = await run(process.execPath, ['caller.mjs', harness.baseUrl, API_KEY], {
      cwd: app,
      timeout: 60_000,
    });
    const report = JSON.parse(stdout) as Record<string, unknown> & {
      codes: { unauthenticated: number; deadline: number };
    };
    expect(report.typeName).toBe('notify.v1.NotificationService');
    for (const protocol of ['grpc', 'connect']) {
      const result = report[protocol] as ProtocolReport;
      expect(result.status, protocol).toBe('SENT');
      expect(result.deduplicatedOnRepeat, protocol).toBe(true);
      expect(result.wrongKeyCode, protocol).toBe(report.codes.unauthenticated);
      expect(result.deadlineCode, protocol).toBe(report.codes.deadline);
      expect(harness.mock().deliveries.some((delivery) => delivery.notificationId === result.id)).toBe(true);
    }
  });

  it('type-checks a TypeScript caller against the shipped declarations', async () => {
    writeFileSync(path.join(app, 'typed.ts'), TYPED_CALLER);
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    const result = await run(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        'typed.ts',
      ],
      { cwd: app },
    ).then(
      () => ({ ok: true, output: '' }),
      (error: Error & { stdout?: string }) => ({ ok: false, output: error.stdout || error.message }),
    );
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });
});
