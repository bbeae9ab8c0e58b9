/** Which system a measurement drives. */
export type TargetName = 'gateway' | 'baseline';

/** One load phase: a fixed offered rate (open loop), or `rate: null` = closed loop with N in flight. */
export interface PhaseSpec {
  readonly name: string;
  readonly rate: number | null;
  /**
   * When set, the phase publishes events (EventService.PublishEvent) to this many recipients each,
   * closed loop with `fanoutInflight` calls in flight, instead of single Triggers; gateway only.
   */
  readonly fanout?: number;
}

/** Everything a bench run can be told through BENCH_* environment variables. */
export interface BenchConfig {
  /** Load time per phase (BENCH_SECONDS, default 10: keeps the default run under 10 minutes). */
  readonly seconds: number;
  /** Whole gateway + baseline comparisons; medians are reported (BENCH_RUNS, default 3). */
  readonly runs: number;
  readonly phases: readonly PhaseSpec[];
  /** In-flight calls of the unbounded phase (BENCH_INFLIGHT, default 64). */
  readonly inflight: number;
  /** PublishEvent calls in flight in the fan-out phase (BENCH_FANOUT_INFLIGHT, default 4). */
  readonly fanoutInflight: number;
  /** grpc-js channels (separate HTTP/2 connections) the load is spread over (BENCH_CLIENTS, default 4). */
  readonly clients: number;
  /** How long to wait for a phase's backlog to drain before moving on (BENCH_DRAIN_SECONDS, default 30). */
  readonly drainTimeoutMs: number;
  /**
   * Warm-up load before the first phase, at 200/s (BENCH_WARMUP_SECONDS, default 10). Long enough for
   * V8 to optimise the hot paths of both targets: with 2 s, the gateway's first phase measured its JIT
   * (200/s RPC p50 86 ms, against 5 ms after 15 s), not its steady state.
   */
  readonly warmupSeconds: number;
  /** Targets to measure (BENCH_TARGETS, default `gateway,baseline`). */
  readonly targets: readonly TargetName[];
  /** When set (BENCH_PROFILE=1), children run with --cpu-prof into this directory. */
  readonly profileDir: string | undefined;
  /** Extra node flags for every target's child processes (BENCH_NODE_ARGS, space-separated), for experiments. */
  readonly nodeArgs: readonly string[];
  readonly mysqlRootUrl: string;
  readonly amqpUrl: string;
}

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

function parsePhases(): PhaseSpec[] {
  const rates = (process.env.BENCH_RATES ?? '200,500,1000')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error('BENCH_RATES: comma-separated rates');
  const phases: PhaseSpec[] = rates.map((rate) => ({ name: `${rate}/s`, rate }));
  if (process.env.BENCH_UNBOUNDED !== '0') phases.push({ name: 'unbounded', rate: null });
  // One event to BENCH_FANOUT recipients per call (default 100; 0 leaves the phase out).
  const fanout = Math.round(Number(process.env.BENCH_FANOUT ?? 100));
  if (!Number.isFinite(fanout) || fanout < 0) throw new Error('BENCH_FANOUT: a recipient count, or 0');
  if (fanout > 0) phases.push({ name: `fanout×${fanout}`, rate: null, fanout });
  return phases;
}

function parseTargets(): TargetName[] {
  const names = (process.env.BENCH_TARGETS ?? 'gateway,baseline').split(',').map((s) => s.trim());
  for (const name of names)
    if (name !== 'gateway' && name !== 'baseline') throw new Error(`BENCH_TARGETS: unknown ${name}`);
  return names as TargetName[];
}

/** Reads the BENCH_* environment; throws on a malformed value. */
export function loadBenchConfig(): BenchConfig {
  const profile = process.env.BENCH_PROFILE;
  return {
    seconds: intEnv('BENCH_SECONDS', 10),
    runs: Math.round(intEnv('BENCH_RUNS', 3)),
    phases: parsePhases(),
    inflight: Math.round(intEnv('BENCH_INFLIGHT', 64)),
    fanoutInflight: Math.round(intEnv('BENCH_FANOUT_INFLIGHT', 4)),
    clients: Math.round(intEnv('BENCH_CLIENTS', 4)),
    drainTimeoutMs: intEnv('BENCH_DRAIN_SECONDS', 30) * 1000,
    warmupSeconds: intEnv('BENCH_WARMUP_SECONDS', 10),
    targets: parseTargets(),
    profileDir:
      profile && profile !== '0'
        ? (process.env.BENCH_PROFILE_DIR ?? `bench/results/profile-${Date.now()}`)
        : undefined,
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    mysqlRootUrl: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
    amqpUrl: process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  };
}
