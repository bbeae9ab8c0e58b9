import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What `npm start` needs: the package manifest, the build config and every file the build compiles. */
const NEEDED = [
  /^package(-lock)?\.json$/,
  /^tsconfig(\.build)?\.json$/,
  /^src\//,
  /^bench\//,
  // test/kit (built into dist/test/kit) imports the contract suite and the Feishu emulator.
  /^test\//,
  // The build also bundles the operator console (scripts/build-console.mjs).
  /^scripts\//,
  /^console\//,
];

/**
 * Copies the working tree's versions of the files `npm start` needs (tracked and untracked, never
 * ignored ones such as dist/ or .data/) into a new temp dir and returns it. node_modules is a
 * symlink to this repo's: `npm ci` cannot stand in for it here (it takes minutes with the
 * better-sqlite3 compile and needs the network, and package-lock.json is currently out of sync
 * with package.json, so `npm ci` refuses), and the test is about the gateway's defaults, not npm.
 */
export function freshCheckout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ngw-fresh-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
  const files = new Set([...git('ls-files'), ...git('ls-files', '--others', '--exclude-standard')]);
  for (const file of files) {
    if (!NEEDED.some((pattern) => pattern.test(file))) continue;
    mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    // A tracked file deleted in the working tree is simply not part of this checkout.
    try {
      copyFileSync(path.join(repoRoot, file), path.join(dir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `npm start` running in a directory, with its output and the pid of the gateway it started. */
export interface NpmStart {
  readonly npm: ChildProcess;
  output(): string;
  /** Resolves with npm's exit code (or signal name). */
  readonly exited: Promise<number | string>;
  /** The `node dist/src/cli.js all` process (npm → sh → node); Linux /proc only. */
  serverPid(): number;
  /** Ctrl-C in a terminal: SIGINT to npm's whole process group (npm then forwards its own). */
  interrupt(): void;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Runs `npm start` in `cwd` with `env` as its whole environment (plus PATH and HOME). The gateway is
 * signalled directly: npm forwards SIGTERM to its `sh -c`, and dash dies without passing it on.
 */
export function npmStart(cwd: string, env: Record<string, string>): NpmStart {
  const npm = spawn('npm', ['start'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a test can press Ctrl-C as a terminal does: kill(-pid, 'SIGINT').
    detached: true,
  });
  let output = '';
  npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    npm.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    npm,
    output: () => output,
    exited,
    interrupt() {
      if (npm.pid !== undefined) process.kill(-npm.pid, 'SIGINT');
    },
    serverPid() {
      const search = (pid: number): number | undefined => {
        for (const child of childrenOf(pid)) {
          const cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
          if (cmdline.some((arg) => arg.endsWith('dist/src/cli.js'))) return child;
          const found = search(child);
          if (found !== undefined) return found;
        }
        return undefined;
      };
      const pid = npm.pid === undefined ? undefined : search(npm.pid);
      if (pid === undefined) throw new Error(`no gateway process under npm (${npm.pid})`);
      return pid;
    },
  };
}
