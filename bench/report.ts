import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PhaseResult } from './phase-runner.js';
import { median, round } from './stats.js';

/** Medians over runs of one (target, phase). */
export interface MedianRow {
  readonly target: string;
  readonly phase: string;
  readonly offeredPerSec: number | null;
  readonly acceptedPerSec: number;
  readonly sentPerSec: number;
  readonly rpcP50Ms: number;
  readonly rpcP99Ms: number;
  readonly sendP50Ms: number;
  readonly sendP99Ms: number;
  readonly errors: number;
  readonly backlogAtEnd: number;
  /** CPU ms of both processes per record. */
  readonly cpuMsTotalPerRecord: number;
  /** Median over runs that drained; `drainTimeouts` counts the others. */
  readonly drainMs: number;
  readonly drainTimeouts: number;
  /** Role (api, worker) → median peak RSS, MiB. */
  readonly rssMb: Record<string, number>;
  /** Highest peak RSS of each role over all runs. */
  readonly rssMaxMb: Record<string, number>;
  /** Role → median CPU ms per record. */
  readonly cpuMsPerRecord: Record<string, number>;
}

const NUMERIC = [
  'acceptedPerSec',
  'sentPerSec',
  'rpcP50Ms',
  'rpcP99Ms',
  'sendP50Ms',
  'sendP99Ms',
  'errors',
  'backlogAtEnd',
  'cpuMsTotalPerRecord',
] as const;

const roleOf = (name: string) => name.replace(/^(gateway|baseline)-/, '');

/** Groups every run's results by target and phase (in first-seen order) and takes medians. */
export function medianRows(results: readonly PhaseResult[]): MedianRow[] {
  const groups = new Map<string, PhaseResult[]>();
  for (const r of results) {
    const key = `${r.target}\u0000${r.phase}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as PhaseResult;
    const numbers = Object.fromEntries(
      NUMERIC.map((field) => [field, round(median(group.map((r) => r[field])))]),
    ) as Record<(typeof NUMERIC)[number], number>;
    const roles = [...new Set(group.flatMap((r) => Object.keys(r.rssMb)))];
    const rssOf = (r: PhaseResult, name: string) => r.rssMb[name] ?? Number.NaN;
    return {
      target: first.target,
      phase: first.phase,
      offeredPerSec: first.offeredPerSec,
      ...numbers,
      drainMs: round(median(group.map((r) => r.drainMs ?? Number.NaN))),
      drainTimeouts: group.filter((r) => r.drainMs === null).length,
      rssMb: Object.fromEntries(roles.map((n) => [roleOf(n), round(median(group.map((r) => rssOf(r, n))))])),
      cpuMsPerRecord: Object.fromEntries(
        roles.map((n) => [roleOf(n), round(median(group.map((r) => r.cpuMsPerRecord[n] ?? Number.NaN)))]),
      ),
      rssMaxMb: Object.fromEntries(
        roles.map((n) => [roleOf(n), round(Math.max(...group.map((r) => rssOf(r, n))))]),
      ),
    };
  });
}

const fmt = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : String(round(v));

/** A Markdown table of the median rows (also readable on a terminal). */
export function formatTable(rows: readonly MedianRow[]): string {
  const header = [
    'target',
    'phase',
    'accepted/s',
    'sent/s',
    'RPC p50',
    'RPC p99',
    '→SENT p50',
    '→SENT p99',
    'errors',
    'backlog',
    'drain s',
    'RSS api MiB',
    'RSS worker MiB',
    'CPU ms/rec api',
    'CPU ms/rec worker',
  ];
  const lines = rows.map((r) => [
    r.target,
    r.phase,
    fmt(r.acceptedPerSec),
    fmt(r.sentPerSec),
    fmt(r.rpcP50Ms),
    fmt(r.rpcP99Ms),
    fmt(r.sendP50Ms),
    fmt(r.sendP99Ms),
    fmt(r.errors),
    fmt(r.backlogAtEnd),
    r.drainTimeouts > 0 ? `timeout×${r.drainTimeouts}` : fmt(r.drainMs / 1000),
    fmt(r.rssMb.api),
    fmt(r.rssMb.worker),
    fmt(r.cpuMsPerRecord.api),
    fmt(r.cpuMsPerRecord.worker),
  ]);
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...lines.map(row)].join('\n');
}

/** Writes `report` as pretty JSON to bench/results/<timestamp>.json; returns the path. */
export function writeJson(report: unknown, startedAt: Date): string {
  const dir = path.resolve('bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
