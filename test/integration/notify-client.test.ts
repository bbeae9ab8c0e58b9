import { Code, ConnectError } from '@connectrpc/connect';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifyClient } from '../../src/client/index.js';
import { freePort } from '../helpers/gateway-process.js';
import { uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => ConnectError.from(error).code,
  );

describe('createNotifyClient retries against a gateway that is not up yet', () => {
  let harness: TestGateway | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  for (const protocol of ['grpc', 'connect'] as const) {
    it(`${protocol}: Trigger (idempotent) is retried through UNAVAILABLE until the gateway answers`, async () => {
      const port = await freePort();
      const client = createNotifyClient({
        baseUrl: `http://127.0.0.1:${port}`,
        protocol,
        timeoutMs: 20_000,
        retry: { maxAttempts: 50, initialDelayMs: 50, maxDelayMs: 200 },
      });
      const calls: string[] = [];
      const counted = createNotifyClient({
        baseUrl: `http://127.0.0.1:${port}`,
        protocol,
        retry: { maxAttempts: 50, initialDelayMs: 50, maxDelayMs: 200 },
        interceptors: [
          (next) => (request) => {
            calls.push(request.method.name);
            return next(request);
          },
        ],
      });
      try {
        // Not retried: a repeat of a cancel that went through would answer FAILED_PRECONDITION.
        expect(await codeOf(counted.notifications.cancelNotification({ id: 'x' }))).toBe(Code.Unavailable);
        expect(calls).toEqual(['CancelNotification']);
        const user = `retry-${uniqueSuffix()}`;
        const answer = client.notifications.trigger({
          userId: user,
          triggerId: 't',
          message: { text: 'late gateway' },
          channels: ['mock'],
        });
        const beforeStart = codeOf(
          counted.notifications.getNotification({ id: '00000000-0000-0000-0000-000000000000' }),
        );
        await new Promise((resolve) => setTimeout(resolve, 600));
        harness = await startTestGateway({ server: { port } });
        const response = await answer;
        expect(response.notifications[0]?.userId).toBe(user);
        expect(await beforeStart).toBe(Code.NotFound);
        // GetNotification failed with UNAVAILABLE at least once before the gateway answered it.
        expect(calls.filter((name) => name === 'GetNotification').length).toBeGreaterThan(1);
      } finally {
        client.close();
        counted.close();
      }
    });
  }

  it('retry: false fails at once, and the deadline bounds the retries', async () => {
    const port = await freePort();
    const noRetry = createNotifyClient({ baseUrl: `http://127.0.0.1:${port}`, retry: false });
    const bounded = createNotifyClient({
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 400,
      retry: { maxAttempts: 1000, initialDelayMs: 20, maxDelayMs: 50 },
    });
    try {
      expect(await codeOf(noRetry.notifications.getNotification({ id: 'x' }))).toBe(Code.Unavailable);
      const started = Date.now();
      const code = await codeOf(bounded.notifications.getNotification({ id: 'x' }));
      expect([Code.Unavailable, Code.DeadlineExceeded]).toContain(code);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      noRetry.close();
      bounded.close();
    }
  });
});
