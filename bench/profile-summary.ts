/**
 * Summarises V8 .cpuprofile files (node --cpu-prof): self time by function+file and by package or
 * source area, so a profile of the unbounded phase reads as a list of hot paths.
 *   node dist/bench/profile-summary.js <dir-or-file>... [--top=25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** `node_modules/<pkg>` (scoped too), `dist/src/<dir>`, `node:<module>`, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'native'})`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return url;
  const source = /dist\/((?:src|bench)\/(?:[^/]+\/)?(?:[^/]+\/)?)/.exec(url);
  return source?.[1] ?? url;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/');
}

/** Self time in ms per key, plus the profile's total sampled time. */
function selfTimes(profile: CpuProfile, keyOf: (frame: CallFrame) => string) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    total += ms;
    const key = keyOf(node.callFrame);
    totals.set(key, (totals.get(key) ?? 0) + ms);
  });
  return { totals, total };
}

function files(inputs: readonly string[]): string[] {
  return inputs.flatMap((input) =>
    statSync(input).isDirectory()
      ? readdirSync(input, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => path.join(input, f))
      : [input],
  );
}

function printTop(title: string, totals: Map<string, number>, total: number, top: number): void {
  console.log(`\n  ${title}`);
  const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, ms] of sorted)
    console.log(`  ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${key}`);
}

function main(argv: readonly string[]): void {
  const top = Number(argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  const inputs = argv.filter((a) => !a.startsWith('--'));
  if (inputs.length === 0) {
    console.error('usage: profile-summary.js <dir-or-.cpuprofile>... [--top=25]');
    process.exit(64);
  }
  for (const file of files(inputs)) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const wallMs = (profile.endTime - profile.startTime) / 1000;
    const byFunction = selfTimes(
      profile,
      (f) => `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`,
    );
    const byArea = selfTimes(profile, (f) => areaOf(f.url, f.functionName));
    const idle = byArea.totals.get('((idle))') ?? 0;
    console.log(
      `\n== ${file}\n  wall ${(wallMs / 1000).toFixed(1)} s, sampled ${(byFunction.total / 1000).toFixed(1)} s, ` +
        `busy ${((byFunction.total - idle) / 1000).toFixed(1)} s`,
    );
    printTop('self time by package / source area', byArea.totals, byFunction.total, top);
    printTop('self time by function', byFunction.totals, byFunction.total, top);
  }
}

main(process.argv.slice(2));
