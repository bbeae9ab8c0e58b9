import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchConfig, TargetName } from './bench-config.js';
import type { Child } from './child-process.js';

/** A running system under test: an RPC address, its processes, and its records table. */
export interface RunningTarget {
  readonly name: TargetName;
  /** `127.0.0.1:<port>` for grpc-js. */
  readonly address: string;
  /** Database holding its `notification_records` table. */
  readonly databaseUrl: string;
  /** The two processes (api, worker) whose RSS is reported. */
  readonly children: readonly Child[];
  /** Stops the children, drops the database and deletes the broker objects. */
  stop(): Promise<void>;
}

/** Where the compiled bench and gateway live (dist/bench/*.js → dist/). */
export function distPath(relative: string): string {
  return new URL(`../${relative}`, import.meta.url).pathname;
}

/** Fails with the child's output when it exits before `ready` resolves. */
export async function raceExit<T>(ready: Promise<T>, children: readonly Child[]): Promise<T> {
  const exits = children.map((child) =>
    child.exited.then((code) => {
      throw new Error(`${child.name} exited (${code}) during start:\n${child.output()}`);
    }),
  );
  return Promise.race([ready, ...exits]);
}

/**
 * Node flags of a target's child: BENCH_NODE_ARGS, plus a CPU profile (BENCH_PROFILE=1) written to
 * one directory per process.
 */
export function childNodeArgs(config: BenchConfig, target: TargetName, run: number, role: string): string[] {
  if (!config.profileDir) return [...config.nodeArgs];
  const profileDir = path.resolve(config.profileDir, `${target}-run${run}-${role}`);
  mkdirSync(profileDir, { recursive: true });
  return [...config.nodeArgs, '--cpu-prof', `--cpu-prof-dir=${profileDir}`];
}
