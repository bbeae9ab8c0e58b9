import { Code, ConnectError } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { Severity } from '../../src/gen/notify/v1/event_service_pb.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { enableMock, eventClient, type EventClient } from '../helpers/event-clients.js';
import { notificationClient, type NotificationClient } from '../helpers/notify-clients.js';
import { uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { scheduleClient, waitForJobFired } from '../helpers/schedule-clients.js';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';

const run = uniqueSuffix();
const alice = `alice-${run}`;
const oncall = `oncall-${run}`;
const unconfigured = `noconfig-${run}`;

let harness: TestGateway;
let events: EventClient;
let notifications: NotificationClient;

beforeAll(async () => {
  harness = await startTestGateway({
    groups: { 'sre-oncall': [oncall, unconfigured] },
    delivery: {
      templates: { task_overdue: 'Task {{attributes.task}} is overdue ({{severity}}) for {{user_id}}' },
    },
    rules: [
      {
        name: 'mute-maintenance',
        match: { type: 'task.*', attributes: { maintenance: 'yes' } },
        suppress: true,
      },
      {
        name: 'overdue-to-assignee',
        match: { type: 'task.*', severity: ['warning', 'critical'], attributes: { team: 'sre' } },
        recipients: { users: ['{{attributes.assignee}}'], groups: ['sre-oncall'] },
        template: 'task_overdue',
      },
    ],
  });
  events = eventClient(harness.baseUrl);
  notifications = notificationClient(harness.baseUrl);
  await enableMock(harness.baseUrl, [alice, oncall]);
});
afterAll(() => harness?.stop());

function overdue(eventId: string, extra: Record<string, unknown> = {}) {
  return {
    eventId,
    type: 'task.overdue',
    severity: Severity.CRITICAL,
    attributes: { team: 'sre', assignee: alice, task: 'T-42' },
    previewId: `preview-${eventId}`,
    traceId: `trace-${eventId}`.slice(0, 64),
    summary: 'Task T-42 is overdue',
    ...extra,
  };
}

function deliveriesOf(eventId: string) {
  return harness.mock().deliveries.filter((delivery) => delivery.eventId === eventId);
}

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe('EventService routing (MariaDB + RabbitMQ, mock channel)', () => {
  it('routes task.overdue to the assignee (from an attribute) and to a group; GetEvent shows the trace', async () => {
    const eventId = `ev-${run}-1`;
    const published = await events.publishEvent({ event: overdue(eventId) });
    expect(published.deduplicated).toBe(false);
    expect(published.eventId).toBe(eventId);
    const byUser = Object.fromEntries(published.decisions.map((d) => [d.userId, d]));
    expect(byUser[alice]).toMatchObject({
      rule: 'overdue-to-assignee',
      channel: 'mock',
      outcome: 'notified',
    });
    expect(byUser[oncall]).toMatchObject({
      rule: 'overdue-to-assignee',
      channel: 'mock',
      outcome: 'notified',
    });
    expect(byUser[unconfigured]).toMatchObject({ outcome: 'skipped', reason: 'no_channel_config' });
    expect(published.notifications).toHaveLength(3);
    for (const n of published.notifications) {
      expect(n.eventId).toBe(eventId);
      expect(n.traceId).toBe(`trace-${eventId}`);
      expect(n.dedupeKey).toBe(`event:${eventId}:overdue-to-assignee`);
    }

    await waitFor(() => deliveriesOf(eventId).length >= 2, 'two deliveries', 20_000);
    const delivered = deliveriesOf(eventId);
    expect(delivered.map((d) => d.userId).sort()).toEqual([alice, oncall].sort());
    const toAlice = delivered.find((d) => d.userId === alice);
    expect(toAlice).toMatchObject({
      text: `Task T-42 is overdue (critical) for ${alice}`,
      eventId,
      eventType: 'task.overdue',
      severity: 'critical',
      previewId: `preview-${eventId}`,
      fallbackUsed: false,
      traceId: `trace-${eventId}`,
    });

    const trace = await events.getEvent({ eventId });
    expect(trace.event).toMatchObject({
      eventId,
      type: 'task.overdue',
      fingerprint: eventId,
      severity: Severity.CRITICAL,
    });
    expect(trace.decisions.find((d) => d.userId === unconfigured)).toMatchObject({
      outcome: 'skipped',
      reason: 'no_channel_config',
      channel: '',
    });
    expect(trace.notificationIds.sort()).toEqual(published.notifications.map((n) => n.id).sort());
    // Other features find an event's notifications by event_id.
    const listed = await notifications.listNotifications({ eventId });
    expect(listed.notifications).toHaveLength(3);
    const skipped = listed.notifications.find((n) => n.userId === unconfigured);
    expect(skipped?.status).toBe(NotificationStatus.SKIPPED);
    // Nothing else arrives later: one notification per recipient.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveriesOf(eventId)).toHaveLength(2);
  });

  it('a suppressing rule records suppressed decisions and creates no record', async () => {
    const eventId = `ev-${run}-suppressed`;
    const published = await events.publishEvent({
      event: overdue(eventId, {
        userIds: [alice],
        attributes: { team: 'sre', maintenance: 'yes', assignee: alice },
      }),
    });
    expect(published.decisions).toEqual([
      expect.objectContaining({
        rule: 'mute-maintenance',
        userId: alice,
        outcome: 'suppressed',
        notificationId: '',
      }),
    ]);
    expect(published.notifications).toHaveLength(0);
    expect((await notifications.listNotifications({ eventId })).notifications).toHaveLength(0);
    expect((await events.getEvent({ eventId })).decisions[0]?.outcome).toBe('suppressed');
  });

  it('an event matching no rule yields no_rule', async () => {
    const eventId = `ev-${run}-norule`;
    const published = await events.publishEvent({
      event: { eventId, type: 'deploy.finished', userIds: [alice] },
    });
    expect(published.decisions).toEqual([expect.objectContaining({ rule: '', outcome: 'no_rule' })]);
    const trace = await events.getEvent({ eventId });
    expect(trace.decisions.map((d) => d.outcome)).toEqual(['no_rule']);
    expect(trace.notificationIds).toEqual([]);
    // ListEvents finds it by the user it named, even with no decision about them.
    const listed = await events.listEvents({ userId: alice, type: 'deploy.finished' });
    expect(listed.events.map((e) => e.eventId)).toEqual([eventId]);
  });

  it('the same event again creates nothing and answers deduplicated; a changed payload is ALREADY_EXISTS', async () => {
    const eventId = `ev-${run}-again`;
    const first = await events.publishEvent({ event: overdue(eventId) });
    const second = await events.publishEvent({ event: overdue(eventId) });
    expect(second.deduplicated).toBe(true);
    expect(second.notifications.map((n) => n.id).sort()).toEqual(first.notifications.map((n) => n.id).sort());
    expect(second.notifications.every((n) => n.deduplicated)).toBe(true);
    expect(second.decisions).toEqual(first.decisions);
    const error = await rejection(
      events.publishEvent({ event: overdue(eventId, { summary: 'something else' }) }),
    );
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe('idempotency_key_reused');
    expect(error.rawMessage).toContain('event.event_id');
  });

  it('20 concurrent identical publishes produce one set of notifications', async () => {
    const eventId = `ev-${run}-burst`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => events.publishEvent({ event: overdue(eventId) })),
    );
    expect(answers.filter((answer) => !answer.deduplicated)).toHaveLength(1);
    const ids = new Set(answers.flatMap((answer) => answer.notifications.map((n) => n.id)));
    expect(ids.size).toBe(3);
    expect((await notifications.listNotifications({ eventId })).notifications).toHaveLength(3);
    await waitFor(() => deliveriesOf(eventId).length >= 2, 'burst deliveries', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveriesOf(eventId)).toHaveLength(2);
  });

  it('counts decisions per rule and outcome, and pages ListEvents newest first', async () => {
    const metrics = await (await fetch(`${harness.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /notify_event_decisions_total\{rule="overdue-to-assignee",outcome="notified"\} \d+/,
    );
    expect(metrics).toContain('notify_event_decisions_total{rule="mute-maintenance",outcome="suppressed"} 1');
    expect(metrics).toContain('notify_event_decisions_total{rule="",outcome="no_rule"} 1');
    expect(metrics).toMatch(/notify_events_total\{source="rpc",result="deduplicated"\} \d+/);

    const base = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 3; i++) {
      await events.publishEvent({
        event: {
          eventId: `ev-${run}-page-${i}`,
          type: `paging.${run}`,
          occurredAt: timestampFromDate(new Date(base + i * 1000)),
        },
      });
    }
    const first = await events.listEvents({ type: `paging.${run}`, pageSize: 2 });
    expect(first.events.map((e) => e.eventId)).toEqual([`ev-${run}-page-2`, `ev-${run}-page-1`]);
    const second = await events.listEvents({
      type: `paging.${run}`,
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(second.events.map((e) => e.eventId)).toEqual([`ev-${run}-page-0`]);
    expect(second.nextPageToken).toBe('');
    const bad = await rejection(events.listEvents({ pageToken: '!!' }));
    expect(bad.rawMessage).toContain('page_token');
  });

  it('rejects bad events naming the field', async () => {
    const noType = await rejection(events.publishEvent({ event: { eventId: `ev-${run}-bad` } }));
    expect(noType.code).toBe(Code.InvalidArgument);
    expect(noType.rawMessage).toContain('event.type');
    const noId = await rejection(events.publishEvent({ event: { type: 'x' } }));
    expect(noId.rawMessage).toContain('event.event_id');
    const missing = await rejection(events.getEvent({ eventId: 'nope' }));
    expect(missing.code).toBe(Code.NotFound);
  });

  it('a ScheduleJob holding an event publishes it when due', async () => {
    const schedules = scheduleClient(harness.baseUrl);
    const eventId = `ev-${run}-scheduled`;
    const jobKey = `job-${run}-event`;
    const scheduled = await schedules.scheduleJob({
      jobKey,
      dueAt: timestampFromDate(new Date(Date.now() + 500)),
      event: overdue(eventId),
    });
    expect(scheduled.job?.event?.eventId).toBe(eventId);
    expect(scheduled.job?.trigger).toBeUndefined();
    // Idempotent by job_key like any job.
    expect(
      (await schedules.scheduleJob({ jobKey, dueAt: scheduled.job?.dueAt, event: overdue(eventId) }))
        .existing,
    ).toBe(true);
    const both = await rejection(
      schedules.scheduleJob({
        jobKey: `${jobKey}-both`,
        dueAt: scheduled.job?.dueAt,
        event: overdue(eventId),
        trigger: { userId: 'u', triggerId: 't', message: { text: 'x' } },
      }),
    );
    expect(both.code).toBe(Code.InvalidArgument);
    const badEvent = await rejection(
      schedules.scheduleJob({
        jobKey: `${jobKey}-bad`,
        dueAt: scheduled.job?.dueAt,
        event: { eventId: 'x' },
      }),
    );
    expect(badEvent.rawMessage).toContain('event.type');

    const fired = await waitForJobFired(schedules, jobKey);
    const trace = await events.getEvent({ eventId });
    expect(fired.notificationIds.sort()).toEqual([...trace.notificationIds].sort());
    await waitFor(() => deliveriesOf(eventId).length === 2, 'scheduled event deliveries', 20_000);
  });
});
