import { describe, expect, it } from 'vitest';
import type { ScannerDuty } from '../../../../src/core/scanner/scanner-duty.js';
import { Scanner } from '../../../../src/core/scanner/scanner.js';
import { createLogger } from '../../../../src/core/shared/logger.js';
import { gate, waitFor } from '../../../helpers/wait-for.js';

const logger = createLogger('silent');

/** A duty that hands out `backlog` rows in batches and records every batch size it was asked for. */
function backlogDuty(name: string, backlog: number): ScannerDuty & { batches: number[] } {
  let left = backlog;
  const batches: number[] = [];
  return {
    name,
    batches,
    runBatch(limit) {
      const taken = Math.min(limit, left);
      left -= taken;
      batches.push(taken);
      return Promise.resolve(taken);
    },
  };
}

describe('Scanner', () => {
  it('drains each duty in batches until a short batch, capped per tick', async () => {
    const big = backlogDuty('big', 25);
    const capped = backlogDuty('capped', 1000);
    const scanner = new Scanner([big, capped], {
      intervalMs: 1000,
      batchSize: 10,
      maxBatchesPerTick: 3,
      logger,
    });
    await scanner.tick();
    expect(big.batches).toEqual([10, 10, 5]);
    expect(capped.batches).toEqual([10, 10, 10]);
    expect(scanner.stats()).toEqual({ big: 25, capped: 30 });
  });

  it('a failing duty does not stop the others', async () => {
    const after = backlogDuty('after', 3);
    const failing: ScannerDuty = {
      name: 'failing',
      runBatch: () => Promise.reject(new Error('database down')),
    };
    await new Scanner([failing, after], { intervalMs: 1000, batchSize: 10, logger }).tick();
    expect(after.batches).toEqual([3]);
  });

  it('stop() waits for the tick in progress and no tick starts after it', async () => {
    const held = gate();
    let started = 0;
    let finished = 0;
    const slow: ScannerDuty = {
      name: 'slow',
      async runBatch() {
        started += 1;
        await held.promise;
        finished += 1;
        return 0;
      },
    };
    const scanner = new Scanner([slow], { intervalMs: 10, batchSize: 10, logger });
    scanner.start();
    await waitFor(() => started === 1, 'the first tick');
    const stopping = scanner.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    held.open();
    await stopping;
    expect(finished).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toBe(1);
  });
});

describe('Scanner failure logging', () => {
  it('logs a failing duty once (not every tick) and its recovery once', async () => {
    const lines: Array<{ level: string; msg: string }> = [];
    const capture = createLogger('info', {
      write: (line: string) => void lines.push(JSON.parse(line) as { level: string; msg: string }),
    });
    let failing = true;
    const flaky: ScannerDuty = {
      name: 'flaky',
      runBatch: () =>
        failing
          ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
          : Promise.resolve(0),
    };
    const scanner = new Scanner([flaky], { intervalMs: 1000, batchSize: 10, logger: capture });
    for (let i = 0; i < 5; i++) await scanner.tick();
    failing = false;
    await scanner.tick();
    await scanner.tick();
    expect(lines.map((line) => `${line.level}:${line.msg}`)).toEqual([
      'error:scanner duty failed',
      'info:scanner duty recovered',
    ]);
  });
});
