import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopology } from '../../src/adapters/amqp-bus/topology.js';
import {
  freePort,
  requireBuild,
  runGateway,
  writeConfigFile,
  type GatewayProcess,
} from '../helpers/gateway-process.js';
import { notificationClient, waitForTerminal } from '../helpers/notify-clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { waitFor } from '../helpers/wait-for.js';

/** One span as an OTLP/HTTP JSON export carries it, with its process's resource. */
interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly instance: string;
  readonly mode: string;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string };
}

interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string }>;
    }>;
  }>;
}

/** A local OTLP/HTTP receiver: the JSON the exporter posts to /v1/traces, flattened to spans. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const attribute = (key: string) =>
            resourceSpans.resource?.attributes?.find((a) => a.key === key)?.value.stringValue ?? '';
          for (const scope of resourceSpans.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                instance: attribute('service.instance.id'),
                mode: attribute('notify.mode'),
              });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('OpenTelemetry across api and worker processes', () => {
  let database: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  const namePrefix = `o${uniqueSuffix()}.`;
  const running: GatewayProcess[] = [];

  beforeAll(async () => {
    requireBuild();
    database = await createTestDatabase();
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    for (const process of running) process.child.kill('SIGKILL');
    await deleteTopology(TEST_AMQP_URL, namePrefix).catch(() => undefined);
    await database?.drop();
    await receiver?.close();
  });

  it('one trace covers the RPC, insert and publish in the api and the consume and provider call in the worker', async () => {
    const port = await freePort();
    const config = {
      server: { host: '127.0.0.1', port },
      database: { url: database.url },
      broker: { url: TEST_AMQP_URL, namePrefix },
      log: { level: 'debug' },
      channels: [{ id: 'mock', plugin: 'mock' }],
    };
    const env = {
      NOTIFY_CONFIG: writeConfigFile(config),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const migrate = runGateway('migrate', { NOTIFY_CONFIG: env.NOTIFY_CONFIG });
    expect(await migrate.exited).toBe(0);
    const api = runGateway('api', env);
    const worker = runGateway('worker', env);
    running.push(api, worker);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${baseUrl}/healthz`).catch(() => undefined))?.ok === true,
      'the api to serve',
      20_000,
    );

    const client = notificationClient(baseUrl);
    const user = `otel-${uniqueSuffix()}`;
    const answer = await client.trigger({
      userId: user,
      triggerId: 'traced',
      message: { text: 'traced' },
      channels: ['mock'],
    });
    const id = answer.notifications[0]?.id ?? '';
    const record = await waitForTerminal(client, id);
    expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
    const traceId = record.traceId;

    const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
    const named = (name: string) => inTrace().find((span) => span.name === name);
    const wanted = [
      'notify.v1.NotificationService/Trigger',
      'notify.insert',
      'notify.publish',
      'notify.consume',
      'notify.provider.send',
    ];
    await waitFor(
      () => wanted.every((name) => named(name) !== undefined),
      `spans ${wanted.join(', ')} in trace ${traceId} (have ${JSON.stringify(inTrace().map((s) => s.name))})`,
      15_000,
    );
    const [rpc, insert, publish, consume, send] = wanted.map((name) => named(name) as ReceivedSpan) as [
      ReceivedSpan,
      ReceivedSpan,
      ReceivedSpan,
      ReceivedSpan,
      ReceivedSpan,
    ];
    // Two processes: the api's spans and the worker's, joined by the traceparent in the message headers.
    for (const span of [rpc, insert, publish]) expect(span.mode, span.name).toBe('api');
    for (const span of [consume, send]) expect(span.mode, span.name).toBe('worker');
    expect(consume.instance).not.toBe(rpc.instance);
    expect(insert.parentSpanId).toBe(rpc.spanId);
    expect(publish.parentSpanId).toBe(rpc.spanId);
    expect(consume.parentSpanId).toBe(publish.spanId);
    expect(send.parentSpanId).toBe(consume.spanId);

    // The access log line of the RPC, at debug, carries the same trace id.
    const accessLine = api
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'rpc' && line.rpc === 'notify.v1.NotificationService/Trigger');
    expect(accessLine).toMatchObject({ code: 'OK', trace_id: traceId });
    expect(typeof accessLine?.ms).toBe('number');

    for (const process of [api, worker]) process.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  });
});
