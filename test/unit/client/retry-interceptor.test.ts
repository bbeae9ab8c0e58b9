import {
  Code,
  ConnectError,
  type Interceptor,
  type UnaryRequest,
  type UnaryResponse,
} from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { createRetryInterceptor, RETRIED_METHODS } from '../../../src/client/retry-interceptor.js';

function requestFor(method: string, signal = new AbortController().signal): UnaryRequest {
  return { stream: false, method: { name: method }, signal } as unknown as UnaryRequest;
}

/** A next() that fails with the given codes in turn, then answers. */
function failing(codes: Code[]): {
  next: Parameters<Interceptor>[0];
  calls: () => number;
} {
  let calls = 0;
  return {
    next: () => {
      const code = codes[calls];
      calls += 1;
      return code === undefined
        ? Promise.resolve({ stream: false } as unknown as UnaryResponse)
        : Promise.reject(new ConnectError('no', code));
    },
    calls: () => calls,
  };
}

describe('createRetryInterceptor', () => {
  it('retries UNAVAILABLE and RESOURCE_EXHAUSTED of an idempotent method with capped full-jitter backoff', async () => {
    const { next, calls } = failing([Code.Unavailable, Code.ResourceExhausted, Code.Unavailable]);
    const started = Date.now();
    // random() = 1: the full cap each time, 10 + 20 + 25 (capped) ms.
    await createRetryInterceptor({ initialDelayMs: 10, maxDelayMs: 25 }, () => 1)(next)(
      requestFor('Trigger'),
    );
    expect(calls()).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { next, calls } = failing([Code.Unavailable, Code.Unavailable, Code.Unavailable]);
    const interceptor = createRetryInterceptor({ maxAttempts: 2, initialDelayMs: 1 }, () => 0);
    await expect(interceptor(next)(requestFor('GetNotification'))).rejects.toMatchObject({
      code: Code.Unavailable,
    });
    expect(calls()).toBe(2);
  });

  it('does not retry other codes, nor methods whose repeat could have a second effect', async () => {
    const invalid = failing([Code.InvalidArgument]);
    await expect(createRetryInterceptor()(invalid.next)(requestFor('Trigger'))).rejects.toThrow();
    expect(invalid.calls()).toBe(1);
    for (const method of ['TestChannel', 'CancelNotification', 'RetryNotification', 'UpsertChannelConfig']) {
      expect(RETRIED_METHODS.has(method)).toBe(false);
      const unavailable = failing([Code.Unavailable]);
      await expect(createRetryInterceptor()(unavailable.next)(requestFor(method))).rejects.toThrow();
      expect(unavailable.calls(), method).toBe(1);
    }
  });

  it('stops waiting as soon as the deadline signal aborts', async () => {
    const deadline = new AbortController();
    const { next, calls } = failing([Code.Unavailable, Code.Unavailable]);
    const call = createRetryInterceptor({ initialDelayMs: 60_000, maxDelayMs: 60_000 }, () => 1)(next)(
      requestFor('ListJobs', deadline.signal),
    );
    setTimeout(() => deadline.abort(), 20);
    await expect(call).rejects.toMatchObject({ code: Code.Unavailable });
    expect(calls()).toBe(1);
  });

  it('rejects nonsensical settings', () => {
    expect(() => createRetryInterceptor({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => createRetryInterceptor({ initialDelayMs: 100, maxDelayMs: 10 })).toThrow(RangeError);
  });
});
