import { describe, expect, it } from 'vitest';
import { CoalescingBatcher } from '../../../../src/core/shared/coalescing-batcher.js';

/** A batch lookup whose calls the test releases by hand, recording the keys of each call. */
function manualLookup() {
  const calls: string[][] = [];
  const pending: Array<() => void> = [];
  const run = (keys: readonly string[]) => {
    calls.push([...keys]);
    return new Promise<string[]>((resolve) => pending.push(() => resolve(keys.map((key) => `v:${key}`))));
  };
  const releaseOne = async () => {
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { calls, run, releaseOne };
}

describe('CoalescingBatcher', () => {
  it('sends keys asked for in the same turn as one batch and answers each its own value', async () => {
    const lookup = manualLookup();
    const batcher = new CoalescingBatcher(lookup.run, { maxInFlight: 2, maxBatch: 100 });
    const answers = Promise.all(['a', 'b', 'c'].map((key) => batcher.load(key)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lookup.calls).toEqual([['a', 'b', 'c']]);
    await lookup.releaseOne();
    expect(await answers).toEqual(['v:a', 'v:b', 'v:c']);
  });

  it('queues keys while maxInFlight batches run, then sends them together', async () => {
    const lookup = manualLookup();
    const batcher = new CoalescingBatcher(lookup.run, { maxInFlight: 1, maxBatch: 100 });
    const first = batcher.load('a');
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['b', 'c', 'd'].map((key) => batcher.load(key));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lookup.calls).toEqual([['a']]);
    await lookup.releaseOne();
    expect(await first).toBe('v:a');
    expect(lookup.calls).toEqual([['a'], ['b', 'c', 'd']]);
    await lookup.releaseOne();
    expect(await Promise.all(later)).toEqual(['v:b', 'v:c', 'v:d']);
  });

  it('splits at maxBatch', async () => {
    const lookup = manualLookup();
    const batcher = new CoalescingBatcher(lookup.run, { maxInFlight: 4, maxBatch: 2 });
    const answers = Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => batcher.load(key)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lookup.calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    for (let i = 0; i < 3; i++) await lookup.releaseOne();
    expect(await answers).toEqual(['v:a', 'v:b', 'v:c', 'v:d', 'v:e']);
  });

  it('fails every lookup of a failed batch with its error, and keeps serving later ones', async () => {
    let fail = true;
    const batcher = new CoalescingBatcher(
      (keys: readonly string[]) =>
        fail ? Promise.reject(new Error('database unreachable')) : Promise.resolve(keys.map((k) => k + '!')),
      { maxInFlight: 1, maxBatch: 10 },
    );
    const failed = await Promise.allSettled([batcher.load('a'), batcher.load('b')]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toEqual(new Error('database unreachable'));
    fail = false;
    expect(await batcher.load('c')).toBe('c!');
  });

  it('rejects a batch whose lookup answered the wrong number of values', async () => {
    const batcher = new CoalescingBatcher(() => Promise.resolve(['only one']), {
      maxInFlight: 1,
      maxBatch: 10,
    });
    await expect(Promise.all([batcher.load('a'), batcher.load('b')])).rejects.toThrow(
      'batch lookup answered 1 values for 2 keys',
    );
  });
});
