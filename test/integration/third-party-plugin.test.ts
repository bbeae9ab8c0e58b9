import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { requireBuild } from '../helpers/gateway-process.js';
import { notificationClient, waitForTerminal } from '../helpers/notify-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { uniqueSuffix } from '../helpers/test-env.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A plugin author's path, outside the repository: copy templates/channel-plugin, build it with
 * tsc against the published entry points (notify-gateway/contract, /http-kit, /testing), run the
 * exported contract suite on it with vitest, then load its build by module path in a gateway.
 */
let pluginDir: string;
let endpoint: { url: string; received: Array<Record<string, unknown>>; close(): Promise<void> };
let harness: TestGateway | undefined;
const TOKEN = `tp-${uniqueSuffix()}`;

async function startEndpoint(): Promise<typeof endpoint> {
  const received: Array<Record<string, unknown>> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.headers.authorization !== `Bearer ${TOKEN}`) {
        response.writeHead(401).end();
        return;
      }
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: `endpoint-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  requireBuild();
  pluginDir = mkdtempSync(path.join(tmpdir(), 'ngw-third-party-'));
  expect(pluginDir.startsWith(repoRoot)).toBe(false);
  cpSync(path.join(repoRoot, 'templates/channel-plugin'), pluginDir, { recursive: true });
  // What `npm install` gives the author: the gateway package and the dev tools it names.
  mkdirSync(path.join(pluginDir, 'node_modules'));
  symlinkSync(repoRoot, path.join(pluginDir, 'node_modules/notify-gateway'), 'dir');
  for (const tool of ['vitest', '@types']) {
    symlinkSync(path.join(repoRoot, 'node_modules', tool), path.join(pluginDir, 'node_modules', tool), 'dir');
  }
  endpoint = await startEndpoint();
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await endpoint?.close();
  if (pluginDir) rmSync(pluginDir, { recursive: true, force: true });
});

describe('a third-party plugin built from templates/channel-plugin', () => {
  it('builds with tsc outside the repository', async () => {
    await run(process.execPath, [
      path.join(repoRoot, 'node_modules/typescript/bin/tsc'),
      '-p',
      path.join(pluginDir, 'tsconfig.json'),
    ]);
    expect(existsSync(path.join(pluginDir, 'dist/index.js'))).toBe(true);
    expect(existsSync(path.join(pluginDir, 'dist/index.d.ts'))).toBe(true);
  }, 120_000);

  it('passes the contract suite exported as notify-gateway/testing', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--root',
        pluginDir,
        '--reporter',
        'verbose',
      ],
      { cwd: pluginDir, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`contract suite failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const output = `${stdout}\n${stderr}`;
    expect(output).toContain('plugin contract: example-http');
    expect(output).toMatch(/Tests\s+10 passed \(10\)/);
  }, 120_000);

  it('is loaded by module path and delivers a trigger', async () => {
    harness = await startTestGateway({
      channels: [
        {
          id: 'example',
          plugin: path.join(pluginDir, 'dist/index.js'),
          config: { url: endpoint.url, allowPrivateNetwork: true, timeoutMs: 3000 },
        },
      ],
    });
    expect(harness.gateway.channels.get('example')?.pluginId).toBe('example-http');
    const userId = `third-party-${uniqueSuffix()}`;
    const configs = createClient(ConfigService, createGrpcTransport({ baseUrl: harness.baseUrl }));
    await configs.upsertChannelConfig({
      userId,
      channel: 'example',
      enabled: true,
      settings: { recipient: 'ada@example.com', api_token: TOKEN },
    });
    const notifications = notificationClient(harness.baseUrl);
    const answer = await notifications.trigger({
      userId,
      triggerId: 'third-party-1',
      message: { text: 'Hello from a third-party plugin' },
      channels: ['example'],
    });
    const id = answer.notifications[0]?.id ?? '';
    const done = await waitForTerminal(notifications, id);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(endpoint.received).toEqual([
      expect.objectContaining({ recipient: 'ada@example.com', text: 'Hello from a third-party plugin' }),
    ]);
  }, 60_000);
});
