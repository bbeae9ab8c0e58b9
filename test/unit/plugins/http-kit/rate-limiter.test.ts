import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../../src/plugins/http-kit/rate-limiter.js';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('createRateLimiter', () => {
  it('lets `limit` calls through at once and delays (never rejects) the rest', async () => {
    const limiter = createRateLimiter([{ limit: 3, windowMs: 200 }]);
    const started = performance.now();
    const times = await Promise.all(
      Array.from({ length: 7 }, async () => {
        const release = await limiter.acquire('k');
        const at = performance.now() - started;
        release();
        return at;
      }),
    );
    expect(times.filter((t) => t < 100)).toHaveLength(3);
    expect(times.filter((t) => t >= 195 && t < 395)).toHaveLength(3);
    expect(times.filter((t) => t >= 395)).toHaveLength(1);
  });

  it('counts a call until one window after it finished (Feishu counts arrivals)', async () => {
    const limiter = createRateLimiter([{ limit: 1, windowMs: 100 }]);
    const started = performance.now();
    const release = await limiter.acquire('k');
    const second = limiter.acquire('k').then(() => performance.now() - started);
    await delay(150); // a slow first call: the window starts when it ends
    release();
    expect(await second).toBeGreaterThanOrEqual(245);
  });

  it('keeps keys independent', async () => {
    const limiter = createRateLimiter([{ limit: 1, windowMs: 10_000 }]);
    const started = performance.now();
    await Promise.all(['a', 'b', 'c'].map((key) => limiter.acquire(key)));
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('enforces every window (per second and per minute)', async () => {
    let clock = 0;
    const limiter = createRateLimiter(
      [
        { limit: 5, windowMs: 1000 },
        { limit: 6, windowMs: 60_000 },
      ],
      () => clock,
    );
    for (let i = 0; i < 6; i += 1) {
      if (i === 5) clock = 1000;
      (await limiter.acquire('k'))();
    }
    clock = 2000;
    const controller = new AbortController();
    const seventh = Promise.race([
      limiter.acquire('k', controller.signal).then(() => 'ran'),
      delay(50).then(() => 'waiting'),
    ]);
    expect(await seventh).toBe('waiting');
    controller.abort();
  });

  it('stops waiting when the signal aborts', async () => {
    const limiter = createRateLimiter([{ limit: 1, windowMs: 60_000 }]);
    await limiter.acquire('k');
    const controller = new AbortController();
    const waiting = limiter.acquire('k', controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeTypeOf('function');
  });
});
