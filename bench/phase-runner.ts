import type { BenchConfig, PhaseSpec, TargetName } from './bench-config.js';
import { CpuMeter } from './cpu-meter.js';
import type { LoadGenerator } from './load-generator.js';
import { PhaseMetrics } from './phase-metrics.js';
import { RssSampler } from './rss-sampler.js';
import { percentiles } from './stats.js';
import type { RunningTarget } from './target.js';

/** One phase against one target in one run: the columns of the report. */
export interface PhaseResult {
  readonly run: number;
  readonly target: TargetName;
  readonly phase: string;
  /** Calls/s offered (open loop), or null for the closed-loop phases. Fan-out phases count records. */
  readonly offeredPerSec: number | null;
  readonly issued: number;
  readonly acceptedPerSec: number;
  /** Phase records reaching SENT / (last sent_at − first created_at): window plus drain. */
  readonly sentPerSec: number;
  readonly rpcP50Ms: number;
  readonly rpcP99Ms: number;
  readonly sendP50Ms: number;
  readonly sendP99Ms: number;
  /** RPC errors + records ending in another terminal state + records still open after the drain. */
  readonly errors: number;
  readonly errorCodes: Record<string, number>;
  /** Non-terminal records of the phase when the load stopped. */
  readonly backlogAtEnd: number;
  /** From load stop until no record of the phase was open; null when the drain timed out. */
  readonly drainMs: number | null;
  /** Peak RSS (MiB) of each process during the phase and drain. */
  readonly rssMb: Record<string, number>;
  /** CPU ms each process spent per record the phase created (load window + drain). */
  readonly cpuMsPerRecord: Record<string, number>;
  /** Sum over both processes of the above. */
  readonly cpuMsTotalPerRecord: number;
}

/** A tag unique to the phase; every request's user_id starts with it (the unique-user rule). */
export function phaseTag(run: number, target: TargetName, phase: PhaseSpec | 'warmup'): string {
  const name =
    phase === 'warmup'
      ? 'warm'
      : phase.fanout
        ? `fan${phase.fanout}`
        : phase.rate === null
          ? 'max'
          : `r${phase.rate}`;
  return `${target[0]}${run}${name}`;
}

/** Runs one phase: load, then the backlog and drain, then the records' statistics. */
export async function runPhase(
  config: BenchConfig,
  target: RunningTarget,
  load: LoadGenerator,
  run: number,
  phase: PhaseSpec,
): Promise<PhaseResult> {
  const tag = phaseTag(run, target.name, phase);
  const metrics = new PhaseMetrics(target.databaseUrl);
  const pids = Object.fromEntries(target.children.map((c) => [c.name, c.pid]));
  const sampler = new RssSampler(pids);
  try {
    sampler.start();
    const cpu = new CpuMeter(pids);
    const result = phase.fanout
      ? await load.runFanOut(tag, config.fanoutInflight, config.seconds, phase.fanout)
      : phase.rate === null
        ? await load.runClosed(tag, config.inflight, config.seconds)
        : await load.runOpen(tag, phase.rate, config.seconds);
    const backlogAtEnd = await metrics.openCount(tag);
    const drainMs = await metrics.waitDrained(tag, config.drainTimeoutMs);
    const rss = sampler.stop();
    const cpuMs = cpu.read();
    const records = await metrics.recordStats(tag);
    const stillOpen = drainMs === null ? await metrics.openCount(tag) : 0;
    const rpc = percentiles(result.latenciesMs);
    return {
      run,
      target: target.name,
      phase: phase.name,
      offeredPerSec: phase.rate,
      issued: result.issued,
      acceptedPerSec: result.ok / (result.durationMs / 1000),
      sentPerSec: records.sentPerSec,
      rpcP50Ms: rpc.p50,
      rpcP99Ms: rpc.p99,
      sendP50Ms: records.sendP50Ms,
      sendP99Ms: records.sendP99Ms,
      errors: result.errors + records.otherTerminal + stillOpen,
      errorCodes: result.errorCodes,
      backlogAtEnd,
      drainMs,
      rssMb: Object.fromEntries(Object.entries(rss).map(([name, peak]) => [name, peak.peakMb])),
      cpuMsTotalPerRecord:
        records.records > 0 ? Object.values(cpuMs).reduce((a, b) => a + b, 0) / records.records : 0,
      cpuMsPerRecord: Object.fromEntries(
        Object.entries(cpuMs).map(([name, ms]) => [name, records.records > 0 ? ms / records.records : 0]),
      ),
    };
  } finally {
    sampler.stop();
    await metrics.close();
  }
}

/** Warm-up at 200/s; waiting for its drain also proves the worker consumes. */
export async function warmUp(
  config: BenchConfig,
  target: RunningTarget,
  load: LoadGenerator,
  run: number,
): Promise<void> {
  const tag = phaseTag(run, target.name, 'warmup');
  const metrics = new PhaseMetrics(target.databaseUrl);
  try {
    const result = await load.runOpen(tag, 200, config.warmupSeconds);
    if (result.ok === 0) throw new Error(`${target.name}: no Trigger succeeded during warm-up`);
    if ((await metrics.waitDrained(tag, 30_000)) === null)
      throw new Error(`${target.name}: warm-up records were not delivered within 30 s`);
  } finally {
    await metrics.close();
  }
}
