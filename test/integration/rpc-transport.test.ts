import http2 from 'node:http2';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import type { ConnectRouter, ServiceImpl, Transport } from '@connectrpc/connect';
import { createAsyncIterable } from '@connectrpc/connect/protocol';
import {
  Http2SessionManager,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthStatusBoard } from '../../src/rpc-kit/health/health-status-board.js';
import { registerHealthService } from '../../src/rpc-kit/health/health-service.js';
import type { ReflectionQuery } from '../../src/rpc-kit/reflection/reflection-index.js';
import { registerReflectionServices } from '../../src/rpc-kit/reflection/reflection-service.js';
import { classifyPreface } from '../../src/rpc-kit/transport/protocol-sniffer.js';
import { startRpcListener } from '../../src/rpc-kit/transport/rpc-listener.js';
import type { RpcListener } from '../../src/rpc-kit/transport/rpc-listener.js';
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
  file_grpc_health_v1_health,
} from '../../src/gen/grpc/health/v1/health_pb.js';
import { ServerReflection } from '../../src/gen/grpc/reflection/v1/reflection_pb.js';
import type { ServerReflectionResponse } from '../../src/gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ServerReflectionV1alpha } from '../../src/gen/grpc/reflection/v1alpha/reflection_pb.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import {
  NotificationService,
  file_notify_v1_notification_service,
} from '../../src/gen/notify/v1/notification_service_pb.js';
import { bufCurl, grpcJsUnary, http1Get, loadGrpcJsService } from '../helpers/rpc-clients.js';

/** A fixed-answer NotificationService: the transport is under test, not the business logic. */
function stubNotificationService(onSlowStart?: () => void): Partial<ServiceImpl<typeof NotificationService>> {
  return {
    trigger(request) {
      return {
        notifications: [
          { id: 'n-1', userId: request.userId, channel: 'mock', status: NotificationStatus.PENDING },
        ],
      };
    },
    async getNotification(request, context) {
      // "slow:<ms>" lets a test hold a call in flight; the shutdown signal still cuts it short.
      if (request.id.startsWith('slow:')) {
        onSlowStart?.();
        await sleep(Number(request.id.slice(5)), undefined, { signal: context.signal });
      }
      return { notification: { id: request.id } };
    },
  };
}

function routesWith(board: HealthStatusBoard, onSlowStart?: () => void) {
  return (router: ConnectRouter): void => {
    router.service(NotificationService, stubNotificationService(onSlowStart));
    registerHealthService(router, board);
    registerReflectionServices(router, [file_notify_v1_notification_service, file_grpc_health_v1_health]);
  };
}

const healthz = (_req: unknown, res: { statusCode: number; end(body: string): void }): void => {
  res.statusCode = 200;
  res.end('ok');
};

describe('rpc listener: every protocol on one port', () => {
  const board = new HealthStatusBoard();
  let listener: RpcListener;
  let baseUrl: string;
  let sessions: Http2SessionManager;
  let grpcTransport: Transport;
  const grpcJsClients: grpc.Client[] = [];

  beforeAll(async () => {
    listener = await startRpcListener({
      host: '127.0.0.1',
      port: 0,
      routes: routesWith(board),
      httpRoutes: {
        '/healthz': healthz,
        '/boom': () => Promise.reject(new Error('route failed')),
      },
    });
    baseUrl = `http://127.0.0.1:${listener.port}`;
    sessions = new Http2SessionManager(baseUrl);
    grpcTransport = createGrpcTransport({ baseUrl, sessionManager: sessions });
  });

  afterAll(async () => {
    for (const client of grpcJsClients) client.close();
    sessions.abort();
    await listener.close({ graceMs: 500 });
  });

  it('binds the real port when asked for port 0', () => {
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.address).toBe('127.0.0.1');
  });

  it('rejects when the port is taken', async () => {
    const start = startRpcListener({ host: '127.0.0.1', port: listener.port, routes: routesWith(board) });
    await expect(start).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('lists methods to buf curl through reflection, with no schema', async () => {
    const { stdout } = await bufCurl(['--http2-prior-knowledge', '--list-methods', baseUrl]);
    const methods = stdout.trim().split('\n');
    expect(methods).toContain('notify.v1.NotificationService/Trigger');
    expect(methods).toContain('notify.v1.NotificationService/GetNotification');
    expect(methods).toContain('grpc.health.v1.Health/Check');
  });

  it.each(['grpc-v1', 'grpc-v1alpha'])(
    'answers buf curl --protocol grpc using reflection %s',
    async (reflect) => {
      const url = `${baseUrl}/notify.v1.NotificationService/Trigger`;
      const args = ['--http2-prior-knowledge', '--protocol', 'grpc', '--reflect-protocol', reflect];
      const { stdout } = await bufCurl([...args, url, '-d', '{"user_id":"u"}']);
      const response = JSON.parse(stdout) as { notifications: { userId: string; status: string }[] };
      expect(response.notifications[0]).toMatchObject({ userId: 'u', status: 'NOTIFICATION_STATUS_PENDING' });
    },
  );

  it('serves a grpc-js client (proto-loader) for Trigger and Health/Check', async () => {
    const address = `127.0.0.1:${listener.port}`;
    const { credentials } = await import('@grpc/grpc-js');
    const Notifications = loadGrpcJsService(
      'notify/v1/notification_service.proto',
      'notify.v1.NotificationService',
    );
    const HealthClient = loadGrpcJsService('grpc/health/v1/health.proto', 'grpc.health.v1.Health');
    const notifications = new Notifications(address, credentials.createInsecure());
    const health = new HealthClient(address, credentials.createInsecure());
    grpcJsClients.push(notifications, health);

    const triggered = await grpcJsUnary<{ notifications: { user_id: string }[] }>(notifications, 'Trigger', {
      user_id: 'grpc-js',
    });
    expect(triggered.notifications[0]?.user_id).toBe('grpc-js');
    const checked = await grpcJsUnary<{ status: string }>(health, 'Check', { service: '' });
    expect(checked.status).toBe('SERVING');
  });

  it.each([
    ['gRPC over HTTP/2', () => grpcTransport],
    [
      'Connect over HTTP/2',
      () => createConnectTransport({ baseUrl, httpVersion: '2', sessionManager: sessions }),
    ],
    [
      'Connect JSON over HTTP/1.1',
      () => createConnectTransport({ baseUrl, httpVersion: '1.1', useBinaryFormat: false }),
    ],
    ['gRPC-Web over HTTP/1.1', () => createGrpcWebTransport({ baseUrl, httpVersion: '1.1' })],
    [
      'gRPC-Web over HTTP/2',
      () => createGrpcWebTransport({ baseUrl, httpVersion: '2', sessionManager: sessions }),
    ],
  ])('serves a connect-node client: %s', async (_name, transport) => {
    const client = createClient(NotificationService, transport());
    const response = await client.trigger({ userId: 'connect' });
    expect(response.notifications[0]?.userId).toBe('connect');
  });

  it('serves a plain fetch POST with JSON', async () => {
    const response = await fetch(`${baseUrl}/notify.v1.NotificationService/Trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'fetch' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ notifications: [{ userId: 'fetch' }] });
  });

  it('serves httpRoutes by exact path on HTTP/1.1 and HTTP/2, and 404s the rest', async () => {
    expect(await http1Get(`${baseUrl}/healthz`)).toEqual({ status: 200, body: 'ok', httpVersion: '1.1' });
    expect(await http1Get(`${baseUrl}/healthz?verbose=1`)).toMatchObject({ status: 200 });
    expect(await http1Get(`${baseUrl}/healthz/extra`)).toMatchObject({ status: 404 });
    expect(await http1Get(`${baseUrl}/boom`)).toMatchObject({ status: 500 });

    const session = http2.connect(baseUrl);
    try {
      const stream = session.request({ ':path': '/healthz' });
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      const [headers] = await Promise.all([
        new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', resolve)),
        new Promise((resolve) => stream.once('end', resolve)),
      ]);
      expect(headers[':status']).toBe(200);
      expect(body).toBe('ok');
    } finally {
      session.close();
    }
  });

  it.each([
    ['gRPC over HTTP/2', () => grpcTransport],
    ['Connect over HTTP/1.1', () => createConnectTransport({ baseUrl, httpVersion: '1.1' })],
  ])('rejects a request message over 1 MiB with ResourceExhausted: %s', async (_name, transport) => {
    const client = createClient(NotificationService, transport());
    const error = await client
      .trigger({ userId: 'big', metadata: { blob: 'x'.repeat(1024 * 1024 + 1) } })
      .catch((reason: unknown) => ConnectError.from(reason));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    // Just under the limit still goes through on the same port.
    const fits = await client.trigger({ userId: 'fits', metadata: { blob: 'x'.repeat(1000 * 1000) } });
    expect(fits.notifications[0]?.userId).toBe('fits');
  });

  it('sniffs an HTTP/1.1 request that arrives one byte at a time', async () => {
    const socket = net.connect(listener.port, '127.0.0.1');
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    const ended = new Promise((resolve) => socket.once('end', resolve));
    // "P" could still be the HTTP/2 preface ("PRI"), so the sniffer must wait for more bytes.
    for (const byte of 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n') {
      socket.write(byte);
      await sleep(1);
    }
    await ended;
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply.endsWith('ok')).toBe(true);
  });

  it('classifies prefaces from their first bytes', () => {
    expect(classifyPreface(Buffer.from('P'))).toBeUndefined();
    expect(classifyPreface(Buffer.from('PRI'))).toBeUndefined();
    expect(classifyPreface(Buffer.from('PRI '))).toBe('http2');
    expect(classifyPreface(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).toBe('http2');
    expect(classifyPreface(Buffer.from('PO'))).toBe('http1');
    expect(classifyPreface(Buffer.from('GET / HTTP/1.1'))).toBe('http1');
    expect(classifyPreface(Buffer.from([0x16, 0x03, 0x01]))).toBe('http1');
  });

  it('answers Health/Check per service and NotFound for unknown ones', async () => {
    const client = createClient(Health, grpcTransport);
    board.set('notify.v1.NotificationService', 'not_serving');
    expect((await client.check({ service: '' })).status).toBe(ServingStatus.SERVING);
    expect((await client.check({ service: 'notify.v1.NotificationService' })).status).toBe(
      ServingStatus.NOT_SERVING,
    );
    const error = await client
      .check({ service: 'nope' })
      .catch((reason: unknown) => ConnectError.from(reason));
    expect((error as ConnectError).code).toBe(Code.NotFound);
  });

  it('streams Health/Watch changes, starting with SERVICE_UNKNOWN for an unknown service', async () => {
    const client = createClient(Health, grpcTransport);
    const abort = new AbortController();
    const seen: ServingStatus[] = [];
    const stream = client.watch({ service: 'later' }, { signal: abort.signal });
    const done = (async () => {
      for await (const response of stream) {
        seen.push(response.status);
        if (seen.length === 1) board.set('later', 'serving');
        if (seen.length === 2) board.set('later', 'not_serving');
        if (seen.length === 3) abort.abort();
      }
    })().catch((reason: unknown) => expect(ConnectError.from(reason).code).toBe(Code.Canceled));
    await done;
    expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });

  it('answers every reflection query, with NOT_FOUND (5) for unknown names', async () => {
    const client = createClient(ServerReflection, grpcTransport);
    const queries: ReflectionQuery[] = [
      { case: 'fileContainingSymbol', value: 'notify.v1.Notification' },
      { case: 'fileContainingSymbol', value: 'notify.v1.NotificationService.Trigger' },
      { case: 'fileContainingSymbol', value: 'notify.v1.Message.VariablesEntry' },
      { case: 'fileContainingSymbol', value: 'notify.v1.NOTIFICATION_STATUS_SENT' },
      { case: 'fileContainingSymbol', value: 'grpc.health.v1.HealthCheckResponse.ServingStatus' },
      { case: 'fileByFilename', value: 'google/protobuf/timestamp.proto' },
      { case: 'fileContainingSymbol', value: 'no.such.Symbol' },
      { case: 'fileByFilename', value: 'no/such.proto' },
      { case: 'allExtensionNumbersOfType', value: 'notify.v1.Notification' },
      { case: 'allExtensionNumbersOfType', value: 'no.such.Type' },
      {
        case: 'fileContainingExtension',
        value: { containingType: 'notify.v1.Notification', extensionNumber: 100 },
      },
      { case: 'listServices', value: '' },
    ];
    const requests = createAsyncIterable(queries.map((messageRequest) => ({ host: 'h', messageRequest })));
    const answers: ServerReflectionResponse[] = [];
    for await (const response of client.serverReflectionInfo(requests)) answers.push(response);
    const fileNames = (i: number) => {
      const answer = answers[i]?.messageResponse;
      if (answer?.case !== 'fileDescriptorResponse') return answer?.case;
      return answer.value.fileDescriptorProto.map(
        (bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name,
      );
    };
    const errorCode = (i: number) => {
      const answer = answers[i]?.messageResponse;
      return answer?.case === 'errorResponse' ? answer.value.errorCode : answer?.case;
    };

    expect(answers).toHaveLength(queries.length);
    expect(answers[0]?.validHost).toBe('h');
    expect(fileNames(0)).toEqual([
      'notify/v1/notification.proto',
      'google/protobuf/struct.proto',
      'google/protobuf/timestamp.proto',
    ]);
    // Dependencies already sent on this stream are not repeated.
    expect(fileNames(1)).toEqual(['notify/v1/notification_service.proto']);
    expect(fileNames(2)).toEqual(['notify/v1/notification.proto']);
    expect(fileNames(3)).toEqual(['notify/v1/notification.proto']);
    expect(fileNames(4)).toEqual(['grpc/health/v1/health.proto']);
    expect(fileNames(5)).toEqual(['google/protobuf/timestamp.proto']);
    expect([errorCode(6), errorCode(7)]).toEqual([5, 5]);
    expect(answers[8]?.messageResponse).toMatchObject({
      case: 'allExtensionNumbersResponse',
      value: { baseTypeName: 'notify.v1.Notification', extensionNumber: [] },
    });
    expect([errorCode(9), errorCode(10)]).toEqual([5, 5]);
    const listed = answers[11]?.messageResponse;
    expect(listed?.case === 'listServicesResponse' && listed.value.service.map((s) => s.name).sort()).toEqual(
      [
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
        'notify.v1.NotificationService',
      ],
    );
  });

  it('answers v1alpha reflection with the same logic', async () => {
    const client = createClient(ServerReflectionV1alpha, grpcTransport);
    const requests = createAsyncIterable([
      { messageRequest: { case: 'fileContainingSymbol' as const, value: 'notify.v1.TriggerRequest' } },
    ]);
    let answered = 0;
    for await (const response of client.serverReflectionInfo(requests)) {
      answered += 1;
      expect(response.messageResponse.case).toBe('fileDescriptorResponse');
      expect(response.originalRequest?.messageRequest.value).toBe('notify.v1.TriggerRequest');
    }
    expect(answered).toBe(1);
  });
});

describe('rpc listener: graceful close', () => {
  async function startSlowListener() {
    // Resolves once two slow calls are inside their handler, so close() races neither's arrival.
    let pending = 2;
    let slowStarted = (): void => undefined;
    const bothStarted = new Promise<void>((resolve) => (slowStarted = () => --pending === 0 && resolve()));
    const board = new HealthStatusBoard();
    const listener = await startRpcListener({
      host: '127.0.0.1',
      port: 0,
      routes: routesWith(board, () => slowStarted()),
    });
    return { listener, board, bothStarted, baseUrl: `http://127.0.0.1:${listener.port}` };
  }

  it('lets in-flight calls on HTTP/2 and HTTP/1.1 finish within graceMs, then refuses connections', async () => {
    const { listener, bothStarted, baseUrl } = await startSlowListener();
    const h2 = createClient(NotificationService, createGrpcTransport({ baseUrl }));
    const h1 = createClient(NotificationService, createConnectTransport({ baseUrl, httpVersion: '1.1' }));
    const calls = Promise.all([
      h2.getNotification({ id: 'slow:400' }),
      h1.getNotification({ id: 'slow:400' }),
    ]);
    await bothStarted;
    const startedAt = Date.now();
    await listener.close({ graceMs: 5_000 });
    const elapsed = Date.now() - startedAt;

    const [fromH2, fromH1] = await calls;
    expect(fromH2.notification?.id).toBe('slow:400');
    expect(fromH1.notification?.id).toBe('slow:400');
    expect(elapsed).toBeLessThan(2_000);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(listener.port, '127.0.0.1', () => resolve(false));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('cuts calls that outlive graceMs through the shutdown signal', async () => {
    const { listener, bothStarted, baseUrl } = await startSlowListener();
    const h2 = createClient(NotificationService, createGrpcTransport({ baseUrl }));
    const h1 = createClient(NotificationService, createConnectTransport({ baseUrl, httpVersion: '1.1' }));
    const toError = (reason: unknown) => ConnectError.from(reason);
    const calls = Promise.all([
      h2.getNotification({ id: 'slow:30000' }).catch(toError),
      h1.getNotification({ id: 'slow:30000' }).catch(toError),
    ]);
    await bothStarted;
    const startedAt = Date.now();
    await listener.close({ graceMs: 200 });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    for (const outcome of await calls) expect(outcome).toBeInstanceOf(ConnectError);
  });

  it('drops a connection that sends nothing within firstByteTimeoutMs', async () => {
    const board = new HealthStatusBoard();
    const listener = await startRpcListener({
      host: '127.0.0.1',
      port: 0,
      routes: routesWith(board),
      firstByteTimeoutMs: 100,
    });
    try {
      const socket = net.connect(listener.port, '127.0.0.1');
      const startedAt = Date.now();
      await new Promise((resolve) => socket.once('close', resolve));
      expect(Date.now() - startedAt).toBeLessThan(2_000);
    } finally {
      await listener.close({ graceMs: 100 });
    }
  });

  it('ends Health/Watch streams when the board shuts down', async () => {
    const { listener, board, baseUrl } = await startSlowListener();
    const client = createClient(Health, createGrpcTransport({ baseUrl }));
    const seen: ServingStatus[] = [];
    for await (const response of client.watch({ service: '' })) {
      seen.push(response.status);
      if (seen.length === 1) board.shutdown();
    }
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    await listener.close({ graceMs: 1_000 });
  });
});
