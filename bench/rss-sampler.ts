import { readFileSync, writeFileSync } from 'node:fs';

/** Peak resident memory of one process over a sampling window, in MiB. */
export interface RssPeak {
  /** Highest VmRSS seen by sampling. */
  readonly sampledMb: number;
  /** The kernel's VmHWM at the end (since the last reset, or process start when reset failed). */
  readonly hwmMb: number;
  /** max(sampled, hwm): what the report shows. */
  readonly peakMb: number;
}

function readKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] ? Number(match[1]) : 0;
  } catch {
    return 0; // The process exited.
  }
}

/**
 * Samples VmRSS of named processes every `intervalMs` and reads VmHWM at the end. At start it
 * writes 5 to /proc/<pid>/clear_refs, which resets VmHWM (Linux ≥ 4.0), so the peak is per window.
 */
export class RssSampler {
  private readonly maxKb = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: Readonly<Record<string, number>>) {}

  start(intervalMs = 200): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // Not permitted: VmHWM then covers the process lifetime, still an upper bound.
      }
      this.maxKb.set(name, readKb(pid, 'VmRSS'));
    }
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): Record<string, RssPeak> {
    clearInterval(this.timer);
    this.sample();
    const result: Record<string, RssPeak> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const sampledMb = (this.maxKb.get(name) ?? 0) / 1024;
      const hwmMb = readKb(pid, 'VmHWM') / 1024;
      result[name] = { sampledMb, hwmMb, peakMb: Math.max(sampledMb, hwmMb) };
    }
    return result;
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const kb = readKb(pid, 'VmRSS');
      if (kb > (this.maxKb.get(name) ?? 0)) this.maxKb.set(name, kb);
    }
  }
}
