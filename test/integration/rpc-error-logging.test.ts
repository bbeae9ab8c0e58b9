import { Writable } from 'node:stream';
import { Code, ConnectError, createRouterTransport, createClient } from '@connectrpc/connect';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/shared/gateway-error.js';
import { createLogger } from '../../src/core/shared/logger.js';
import { createErrorLoggingInterceptor } from '../../src/adapters/rpc/error-logging-interceptor.js';
import { mapErrors } from '../../src/adapters/rpc/notification-service-handler.js';
import { NotificationService } from '../../src/gen/notify/v1/notification_service_pb.js';
import { notificationClient } from '../helpers/notify-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

// Issue 12 item 9: an INTERNAL is logged at error level with its cause and stack (not a protobuf
// descriptor dump), and a call the caller's own deadline ended is not an error-level log.

/** A logger whose JSON lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger('info', sink), lines, raw };
}

describe('INTERNAL on a real gateway (MariaDB)', () => {
  let harness: TestGateway;
  const captured = capturingLogger();

  beforeAll(async () => {
    harness = await startTestGateway({}, { logger: captured.logger });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('logs the cause with its stack at error level, and tells the caller only "internal error"', async () => {
    const client = notificationClient(harness.baseUrl);
    const { notifications } = await client.trigger({
      userId: 'u-internal',
      triggerId: 't1',
      message: { text: 'hi' },
      channels: ['mock'],
    });
    const id = notifications[0]?.id ?? '';
    // A schema broken under the running gateway: a failure that is nobody's request mistake.
    const connection = await createConnection(harness.database.url);
    try {
      await connection.query('RENAME TABLE notification_attempts TO notification_attempts_gone');
      const error = await client
        .getNotification({ id })
        .catch((caught: unknown) => ConnectError.from(caught));
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.Internal);
      expect((error as ConnectError).rawMessage).toBe('internal error');
    } finally {
      await connection.query('RENAME TABLE notification_attempts_gone TO notification_attempts');
      await connection.end();
    }
    const index = captured.lines.findIndex((line) => line.msg === 'rpc failed');
    expect(index).toBeGreaterThanOrEqual(0);
    const line = captured.lines[index]!;
    expect(line).toMatchObject({
      level: 'error',
      rpc: 'notify.v1.NotificationService/GetNotification',
      code: 'Internal',
    });
    const err = line.err as { message: string; stack: string };
    expect(err.message).toContain('notification_attempts');
    expect(err.stack).toMatch(/\n\s+at /);
    // No descriptor dump, and no SQL parameters.
    expect(captured.raw[index]).not.toContain('typeName');
    expect(captured.raw[index]!.length).toBeLessThan(8000);
  });
});

describe('a caller whose own deadline passes', () => {
  it('is logged at info, not error', async () => {
    const captured = capturingLogger();
    const transport = createRouterTransport(
      ({ service }) => {
        service(NotificationService, {
          // As Trigger does: a caller that already gave up gets request_abandoned, nothing stored.
          trigger: (_request, context) =>
            mapErrors(async () => {
              await new Promise((resolve) =>
                context.signal.addEventListener('abort', resolve, { once: true }),
              );
              throw new GatewayError(
                'unavailable',
                'request_abandoned',
                'the caller cancelled or its deadline passed',
              );
            }),
        });
      },
      { router: { interceptors: [createErrorLoggingInterceptor(captured.logger)] } },
    );
    const client = createClient(NotificationService, transport);
    const error = await client
      .trigger({ userId: 'u', triggerId: 't', message: { text: 'x' } }, { timeoutMs: 50 })
      .catch((caught: unknown) => ConnectError.from(caught));
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(captured.lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(captured.lines).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'rpc ended by the caller (deadline or cancel)' }),
    );
  });
});
