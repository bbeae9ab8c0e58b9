import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process in ms (0 once it exited). */
function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may contain spaces) start at field 3; utime is 14, stime 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU time each named process used between construction and `read()`, from /proc/<pid>/stat.
 * CPU per notification is the steadiest number on a shared machine: waiting does not count.
 */
export class CpuMeter {
  private readonly start: Map<string, number>;

  constructor(private readonly pids: Readonly<Record<string, number>>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  }

  /** Name → CPU ms used since construction. */
  read(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.pids).map(([name, pid]) => [name, cpuMs(pid) - (this.start.get(name) ?? 0)]),
    );
  }
}
