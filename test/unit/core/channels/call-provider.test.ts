import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ChannelProvider, SendRequest } from '../../../../src/core/contract/index.js';
import { callProvider } from '../../../../src/core/channels/call-provider.js';

const request: Omit<SendRequest, 'signal'> = {
  notificationId: 'n',
  idempotencyKey: 'k',
  attemptNo: 1,
  userId: 'u',
  channel: 'c',
  text: 't',
  triggerId: 'tr',
  triggerType: '',
  target: undefined,
  settings: {},
  metadata: {},
  traceId: 'x',
};

function provider(send: ChannelProvider['send']): ChannelProvider {
  return { idempotent: true, send };
}

describe('callProvider', () => {
  it('leaves no listener on the long-lived shutdown signal (no per-call leak)', async () => {
    const shutdown = new AbortController();
    const ok = provider(() => Promise.resolve({ outcome: 'success' }));
    for (let i = 0; i < 200; i++) await callProvider(ok, request, 1000, shutdown.signal);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('turns a throw or a malformed result into a temporary plugin_error', async () => {
    const signal = new AbortController().signal;
    const thrown = await callProvider(
      provider(() => Promise.reject(new Error('boom'))),
      request,
      1000,
      signal,
    );
    expect(thrown.result).toMatchObject({ outcome: 'temporary_fail', errorCode: 'plugin_error' });
    expect(thrown.result.errorMessage).toContain('boom');
    const malformed = await callProvider(
      provider(() => Promise.resolve({ outcome: 'maybe' } as never)),
      request,
      1000,
      signal,
    );
    expect(malformed.result.errorCode).toBe('plugin_error');
  });

  it('abandons a call past the timeout as provider_timeout with an unknown outcome, aborting its signal', async () => {
    let seen: AbortSignal | undefined;
    const slow = provider((sent) => {
      seen = sent.signal;
      return new Promise(() => undefined);
    });
    const { result } = await callProvider(slow, request, 50, new AbortController().signal);
    expect(result).toMatchObject({
      outcome: 'temporary_fail',
      errorCode: 'provider_timeout',
      outcomeUnknown: true,
    });
    expect(seen?.aborted).toBe(true);
  });

  it('passes shutdown through to the provider signal', async () => {
    const shutdown = new AbortController();
    const pending = callProvider(
      provider(
        (sent) =>
          new Promise((resolve) => {
            // Shutdown may come before send runs: a provider checks `aborted` first.
            const aborted = () => resolve({ outcome: 'temporary_fail', errorCode: 'send_aborted' });
            if (sent.signal.aborted) aborted();
            else sent.signal.addEventListener('abort', aborted);
          }),
      ),
      request,
      5000,
      shutdown.signal,
    );
    shutdown.abort();
    expect((await pending).result.errorCode).toBe('send_aborted');
  });
});
