import { execFileSync, spawnSync } from 'node:child_process';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from '../../src/gen/grpc/health/v1/health_pb.js';
import { notificationClient, waitForTerminal } from '../helpers/notify-clients.js';
import { parsePrometheus, seriesValue } from '../helpers/prometheus-text.js';
import { uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/** promtool comes from Debian's `prometheus` package; .ci/run installs it. */
function promtoolPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('metrics and health of a real gateway', () => {
  let api: TestGateway;
  let worker: TestGateway;
  beforeAll(async () => {
    api = await startTestGateway({}, { mode: 'api' });
    worker = await startTestGateway(
      { worker: { httpPort: 0 } },
      { mode: 'worker', shared: { database: api.database, namePrefix: api.config.broker.namePrefix } },
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
  });

  it('counts each RPC by method and code, with a latency histogram', async () => {
    const client = notificationClient(api.baseUrl);
    const user = `m-${uniqueSuffix()}`;
    const before = parsePrometheus(await scrape(api.baseUrl));
    const sent = await client.trigger({
      userId: user,
      triggerId: 't1',
      message: { text: 'm' },
      channels: ['mock'],
    });
    await expect(client.trigger({ userId: '', triggerId: 't2', message: { text: 'm' } })).rejects.toThrow();
    await waitForTerminal(client, sent.notifications[0]?.id ?? '');
    const after = parsePrometheus(await scrape(api.baseUrl));
    const delta = (series: string) => seriesValue(after, series) - seriesValue(before, series);
    const trigger = 'method="notify.v1.NotificationService/Trigger"';
    expect(delta(`notify_rpc_requests_total{${trigger},code="OK"}`)).toBe(1);
    expect(delta(`notify_rpc_requests_total{${trigger},code="INVALID_ARGUMENT"}`)).toBe(1);
    expect(delta(`notify_rpc_duration_seconds_count{${trigger},code="OK"}`)).toBe(1);
    expect(delta(`notify_rpc_duration_seconds_bucket{le="+Inf",${trigger},code="INVALID_ARGUMENT"}`)).toBe(1);
    expect(
      delta('notify_rpc_requests_total{method="notify.v1.NotificationService/GetNotification",code="OK"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('exports database and broker gauges from the api only, and no doubled or misnamed process metrics', async () => {
    const apiText = await scrape(api.baseUrl);
    const workerText = await scrape(`http://127.0.0.1:${worker.gateway.port}`);
    expect(apiText).toMatch(/^notify_records\{status="sent"\} \d+$/m);
    expect(apiText).toMatch(/^notify_dead_letter_messages 0$/m);
    expect(workerText).not.toContain('notify_records');
    expect(workerText).not.toContain('notify_dead_letter_messages');
    expect(workerText).toContain('notify_deliveries_total');
    for (const text of [apiText, workerText]) {
      expect(text).not.toContain('notify_process_process_');
      expect(text).toMatch(/^notify_process_cpu_seconds_total /m);
      expect(text).not.toMatch(/^# TYPE \S+_total gauge$/m);
    }
  });

  it('passes promtool check metrics on both the api and the worker', async () => {
    const promtool = promtoolPath();
    // Only a machine without Debian's prometheus package lands here; CI installs it (.ci/run).
    if (!promtool) throw new Error('promtool is not installed: apt-get install -y prometheus');
    for (const url of [api.baseUrl, `http://127.0.0.1:${worker.gateway.port}`]) {
      const text = await scrape(url);
      const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(`${result.stdout}${result.stderr}`).toBe('');
      expect(result.status).toBe(0);
    }
    // The check itself is live: a gauge named like a counter fails it.
    const broken = '# HELP x_total a\n# TYPE x_total gauge\nx_total 1\n';
    expect(() => execFileSync(promtool, ['check', 'metrics'], { input: broken, stdio: 'pipe' })).toThrow();
  });

  it('grpc.health.v1 answers SERVING per service name and NOT_FOUND for unknown ones', async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: api.baseUrl }));
    for (const service of [
      '',
      'notify.v1.NotificationService',
      'notify.v1.ConfigService',
      'notify.v1.ScheduleService',
      'notify.v1.OperationsService',
    ]) {
      expect((await health.check({ service })).status, service).toBe(ServingStatus.SERVING);
    }
    await expect(health.check({ service: 'notify.v1.Nope' })).rejects.toThrow(/unknown service/);
  });
});
