/**
 * `npm run bench`: the gateway (api + worker processes) and the bare-stack baseline, driven by the
 * same grpc-js load generator in the same run, BENCH_RUNS times; prints medians and writes JSON
 * to bench/results/. Environment knobs: see bench-config.ts and BENCHMARKS.md.
 */
import { execSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { connect } from 'amqplib';
import { launchBaseline } from './baseline-launcher.js';
import { loadBenchConfig, type BenchConfig, type TargetName } from './bench-config.js';
import { mariadbVersion } from './bench-database.js';
import { launchGateway } from './gateway-launcher.js';
import { LoadGenerator } from './load-generator.js';
import { runPhase, warmUp, type PhaseResult } from './phase-runner.js';
import { formatTable, medianRows, writeJson } from './report.js';
import type { RunningTarget } from './target.js';
import { checkTargets, sameRunRatios } from './verdict.js';

function uptime(): string {
  try {
    return execSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

async function rabbitVersion(url: string): Promise<string> {
  const model = await connect(url);
  try {
    return String(model.connection.serverProperties.version ?? 'unknown');
  } finally {
    await model.close();
  }
}

async function machine(config: BenchConfig) {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    mariadb: await mariadbVersion(config.mysqlRootUrl),
    rabbitmq: await rabbitVersion(config.amqpUrl),
  };
}

const LAUNCH: Record<TargetName, (config: BenchConfig, run: number) => Promise<RunningTarget>> = {
  gateway: launchGateway,
  baseline: launchBaseline,
};

async function measureTarget(config: BenchConfig, name: TargetName, run: number): Promise<PhaseResult[]> {
  const target = await LAUNCH[name](config, run);
  const load = new LoadGenerator(target.address, config.clients);
  const results: PhaseResult[] = [];
  try {
    await warmUp(config, target, load, run);
    for (const phase of config.phases) {
      // The baseline has no events: the fan-out phase stands next to the gateway's own Trigger phases.
      if (phase.fanout && name !== 'gateway') continue;
      const result = await runPhase(config, target, load, run, phase);
      results.push(result);
      console.log(
        `  run ${run} ${name.padEnd(8)} ${phase.name.padEnd(9)} accepted ${result.acceptedPerSec.toFixed(0)}/s` +
          ` sent ${result.sentPerSec.toFixed(0)}/s rpc p99 ${result.rpcP99Ms.toFixed(1)} ms` +
          ` →SENT p99 ${result.sendP99Ms.toFixed(1)} ms errors ${result.errors}` +
          ` backlog ${result.backlogAtEnd} drain ${result.drainMs === null ? 'timeout' : `${(result.drainMs / 1000).toFixed(1)} s`}` +
          ` rss ${Object.values(result.rssMb)
            .map((mb) => mb.toFixed(0))
            .join('/')} MiB` +
          ` cpu ${Object.values(result.cpuMsPerRecord)
            .map((ms) => ms.toFixed(2))
            .join('/')} ms/rec | ${uptime().replace(/.*load/, 'load')}`,
      );
    }
  } finally {
    load.close();
    await target.stop();
  }
  return results;
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const startedAt = new Date();
  const uptimeBefore = uptime();
  console.log(`notify-gateway bench: ${config.runs} run(s), ${config.seconds} s per phase; ${uptimeBefore}`);
  if (config.profileDir) console.log(`CPU profiles → ${config.profileDir}`);
  const results: PhaseResult[] = [];
  for (let run = 1; run <= config.runs; run++) {
    // Alternate the order so neither target always runs on the warmer (or more loaded) machine.
    const order = run % 2 === 1 ? config.targets : [...config.targets].reverse();
    for (const name of order) results.push(...(await measureTarget(config, name, run)));
  }
  const rows = medianRows(results);
  const unbounded = config.phases.find((p) => p.rate === null && !p.fanout)?.name ?? 'unbounded';
  const ratios = Object.fromEntries(
    config.phases.map((phase) => [
      phase.name,
      Object.fromEntries(
        (
          [
            'sentPerSec',
            'acceptedPerSec',
            'rpcP50Ms',
            'rpcP99Ms',
            'sendP50Ms',
            'sendP99Ms',
            'cpuMsTotalPerRecord',
          ] as const
        ).map((f) => [f, sameRunRatios(results, phase.name, f, config.runs)]),
      ),
    ]),
  );
  const unboundedRatio = ratios[unbounded]?.sentPerSec?.median ?? Number.NaN;
  const checks = config.targets.includes('gateway') ? checkTargets(rows, unboundedRatio) : [];
  console.log(`\nMedians of ${config.runs} run(s):\n\n${formatTable(rows)}\n`);
  console.log(`gateway/baseline sent/s (${unbounded}, same-run, median): ${unboundedRatio}×`);
  for (const phase of config.phases) {
    const r = ratios[phase.name];
    console.log(
      `gateway/baseline ${phase.name.padEnd(9)} sent/s ${r?.sentPerSec?.median}× RPC p99 ${r?.rpcP99Ms?.median}×` +
        ` →SENT p99 ${r?.sendP99Ms?.median}× CPU/record ${r?.cpuMsTotalPerRecord?.median}×`,
    );
  }
  for (const phase of config.phases.filter((p) => p.fanout)) {
    const fan = rows.find((r) => r.target === 'gateway' && r.phase === phase.name);
    const single = rows.find((r) => r.target === 'gateway' && r.phase === unbounded);
    if (fan)
      console.log(
        `fan-out (PublishEvent to ${phase.fanout} recipients): accepted ${fan.acceptedPerSec} records/s, sent ${fan.sentPerSec}/s;` +
          ` single Triggers (${unbounded}): accepted ${single?.acceptedPerSec ?? 'n/a'}/s, sent ${single?.sentPerSec ?? 'n/a'}/s`,
      );
  }
  for (const check of checks)
    console.log(`${check.met ? 'MET    ' : 'NOT MET'} ${check.target}: ${check.measured}`);
  const uptimeAfter = uptime();
  const file = writeJson(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: await machine(config),
      uptimeBefore,
      uptimeAfter,
      config,
      medians: rows,
      ratios,
      checks,
      results,
    },
    startedAt,
  );
  console.log(`\n${uptimeAfter}\nresults: ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
