import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStatus, Severity } from '../../src/gen/notify/v1/event_service_pb.js';
import { enableMock, eventClient } from '../helpers/event-clients.js';
import { uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

const run = uniqueSuffix();
const triggerKey = `trigger-key-${run}`;
const readKey = `read-key-${run}`;
const adminKey = `admin-key-${run}`;
const sha = (key: string) => createHash('sha256').update(key).digest('hex');
const oncall = `am-oncall-${run}`;

let harness: TestGateway;

beforeAll(async () => {
  harness = await startTestGateway({
    auth: {
      apiKeys: [
        { name: 'alertmanager', sha256: sha(triggerKey), scopes: ['trigger', 'read'] },
        { name: 'reader', sha256: sha(readKey), scopes: ['read'] },
        { name: 'admin', sha256: sha(adminKey), scopes: ['admin'] },
      ],
    },
    groups: { oncall: [oncall] },
    rules: [
      {
        name: 'alerts-to-oncall',
        match: { attributes: { team: 'sre' } },
        recipients: { groups: ['oncall'] },
      },
    ],
  });
  await enableMock(harness.baseUrl, [oncall], 'mock', adminKey);
});
afterAll(() => harness?.stop());

const payload = {
  version: '4',
  groupKey: '{}:{alertname="DiskFull"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'notify-gateway',
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: { team: 'sre' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskFull', severity: 'critical', team: 'sre', instance: 'db-1' },
      annotations: { summary: 'Disk on db-1 is 97% full' },
      startsAt: '2026-01-05T10:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=disk',
      fingerprint: 'a1b2c3d4e5f60718',
    },
    {
      status: 'resolved',
      labels: { alertname: 'HighLatency', severity: 'warning', team: 'sre', service: 'api' },
      annotations: { description: 'p99 back under 300 ms' },
      startsAt: '2026-01-05T09:00:00.000Z',
      endsAt: '2026-01-05T09:30:00.000Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=latency',
      fingerprint: '0f1e2d3c4b5a6978',
    },
  ],
};

function post(body: unknown, key?: string) {
  return fetch(`${harness.baseUrl}/ingest/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });
}

describe('POST /ingest/alertmanager', () => {
  it('needs an API key with scope trigger', async () => {
    expect((await post(payload)).status).toBe(401);
    const denied = await post(payload, readKey);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ reason: 'missing_scope' });
  });

  it('turns a firing and a resolved alert into two events with type, fingerprint, status and severity', async () => {
    const response = await post(payload, triggerKey);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { events: Array<Record<string, unknown>> };
    expect(body.events).toEqual([
      expect.objectContaining({
        event_id: 'am:a1b2c3d4e5f60718:firing:2026-01-05T10:00:00.000Z',
        type: 'DiskFull',
        status: 'firing',
        severity: 'critical',
        fingerprint: 'a1b2c3d4e5f60718',
        deduplicated: false,
      }),
      expect.objectContaining({
        event_id: 'am:0f1e2d3c4b5a6978:resolved:2026-01-05T09:00:00.000Z',
        type: 'HighLatency',
        status: 'resolved',
        severity: 'warning',
        fingerprint: '0f1e2d3c4b5a6978',
      }),
    ]);
    const events = eventClient(harness.baseUrl, readKey);
    const firing = await events.getEvent({ eventId: String(body.events[0]?.event_id) });
    expect(firing.event).toMatchObject({
      type: 'DiskFull',
      status: EventStatus.FIRING,
      severity: Severity.CRITICAL,
      fingerprint: 'a1b2c3d4e5f60718',
      summary: 'Disk on db-1 is 97% full',
    });
    expect(firing.event?.attributes).toMatchObject({
      instance: 'db-1',
      team: 'sre',
      summary: 'Disk on db-1 is 97% full',
    });
    expect(firing.decisions).toEqual([expect.objectContaining({ rule: 'alerts-to-oncall', userId: oncall })]);
    const resolved = await events.getEvent({ eventId: String(body.events[1]?.event_id) });
    expect(resolved.event).toMatchObject({
      status: EventStatus.RESOLVED,
      severity: Severity.WARNING,
      summary: 'p99 back under 300 ms',
    });
    // Both reach the on-call user through the same rules.
    await waitFor(
      () => harness.mock().deliveries.filter((d) => d.userId === oncall).length === 2,
      'alert deliveries',
      20_000,
    );

    // Alertmanager repeats the notification: deduplicated, nothing new.
    const repeat = (await (await post(payload, triggerKey)).json()) as {
      events: Array<{ deduplicated: boolean }>;
    };
    expect(repeat.events.map((event) => event.deduplicated)).toEqual([true, true]);
  });

  it('rejects a payload that is not version 4, naming the field', async () => {
    const response = await post({ ...payload, version: '3' }, triggerKey);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_argument', field: 'version' });
  });
});
