import type { PhaseResult } from './phase-runner.js';
import type { MedianRow } from './report.js';
import { median, round } from './stats.js';

/** One issue-#7 target and whether the medians meet it. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** gateway / baseline of `field` in each run that has both, and their median. */
export function sameRunRatios(
  results: readonly PhaseResult[],
  phase: string,
  field:
    | 'sentPerSec'
    | 'rpcP50Ms'
    | 'rpcP99Ms'
    | 'sendP50Ms'
    | 'sendP99Ms'
    | 'acceptedPerSec'
    | 'cpuMsTotalPerRecord',
  runs: number,
): { perRun: number[]; median: number } {
  const perRun: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const of = (target: string) =>
      results.find((r) => r.run === run && r.target === target && r.phase === phase)?.[field];
    const gateway = of('gateway');
    const baseline = of('baseline');
    if (gateway !== undefined && baseline !== undefined && baseline > 0)
      perRun.push(round(gateway / baseline));
  }
  return { perRun, median: round(median(perRun)) };
}

/** The targets checked against the medians (RSS against the highest peak seen). */
export function checkTargets(rows: readonly MedianRow[], unboundedRatio: number): TargetCheck[] {
  const gw = (phase: string) => rows.find((r) => r.target === 'gateway' && r.phase === phase);
  const at500 = gw('500/s');
  const rss = Math.max(
    ...rows.filter((r) => r.target === 'gateway').flatMap((r) => Object.values(r.rssMaxMb)),
  );
  const checks: TargetCheck[] = [
    {
      target: 'unbounded sent/s ≥ 1.0× baseline',
      measured: `${unboundedRatio}×`,
      met: unboundedRatio >= 1,
    },
  ];
  if (at500) {
    checks.push(
      {
        target: '500/s: Trigger RPC p99 ≤ 20 ms',
        measured: `${at500.rpcP99Ms} ms`,
        met: at500.rpcP99Ms <= 20,
      },
      {
        target: '500/s: trigger→SENT p99 ≤ 50 ms',
        measured: `${at500.sendP99Ms} ms`,
        met: at500.sendP99Ms <= 50,
      },
      { target: '500/s: zero errors', measured: String(at500.errors), met: at500.errors === 0 },
      {
        target: '500/s: backlog drained',
        measured: at500.drainTimeouts > 0 ? `${at500.drainTimeouts} timeouts` : `${at500.drainMs} ms`,
        met: at500.drainTimeouts === 0,
      },
    );
  }
  checks.push({ target: 'peak RSS ≤ 150 MB per gateway process', measured: `${rss} MiB`, met: rss <= 150 });
  return checks;
}
