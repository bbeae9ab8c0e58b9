import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built bin; `npm test` builds first (pretest). */
export const CLI = path.join(repoRoot, 'dist/src/cli.js');

/** Fail loudly when the build is missing rather than skipping process tests. */
export function requireBuild(): void {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run "npm run build" (npm test does it in pretest)`);
}

/** A free TCP port on 127.0.0.1 (for child processes whose port the test must know). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Write a YAML config file to a temp dir; returns its path. */
export function writeConfigFile(config: Record<string, unknown>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ngw-proc-')), 'notify.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** The encryption key child gateways get unless the test passes NOTIFY_SECRET_KEYS itself. */
export const PROCESS_SECRET_KEYS = `proc:${Buffer.alloc(32, 7).toString('base64')}`;

/** A gateway child process with its captured output. */
export interface GatewayProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

/** Run `notify-gateway <mode> [...args]` with `env` added to this process's environment. */
export function runGateway(
  mode: string,
  env: Record<string, string>,
  args: readonly string[] = [],
): GatewayProcess {
  const child = spawn(process.execPath, [CLI, mode, ...args], {
    env: { NOTIFY_SECRET_KEYS: PROCESS_SECRET_KEYS, ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, output: () => output, exited };
}
