import { describe, expect, it } from 'vitest';
import type { ChannelRegistry } from '../../../../src/core/channels/channel-registry.js';
import { parseGatewayConfig } from '../../../../src/core/config/load-config.js';
import { ConfigError } from '../../../../src/core/contract/index.js';
import type { NotifyEvent } from '../../../../src/core/event/event.js';
import { eventPayloadHash, validateEvent } from '../../../../src/core/event/event-input.js';
import {
  eventVariables,
  expandRecipients,
  fillPlaceholders,
  isCritical,
} from '../../../../src/core/event/event-variables.js';
import { planFanOut } from '../../../../src/core/event/fan-out-plan.js';
import { DEFAULT_RULE, ruleSchema, type RoutingRule } from '../../../../src/core/event/routing-rules.js';
import { globMatches, ruleMatches, selectRules } from '../../../../src/core/event/rule-matching.js';
import type { UserChannelSetting } from '../../../../src/core/user-config/channel-settings-source.js';

const now = new Date('2026-01-05T10:00:00Z');

function event(overrides: Partial<NotifyEvent> = {}): NotifyEvent {
  return {
    eventId: 'e1',
    type: 'task.overdue',
    severity: 'warning',
    status: 'firing',
    fingerprint: 'e1',
    userIds: ['u-1'],
    attributes: { team: 'sre', assignee: 'u-5', task: 'T-1' },
    target: { type: 'task', id: 'T-1', url: 'https://tasks.example/T-1' },
    previewId: 'p1',
    traceId: 't1',
    occurredAt: now,
    summary: 'Task T-1 is overdue',
    ...overrides,
  };
}

const rule = (raw: Record<string, unknown>): RoutingRule => ruleSchema.parse({ name: 'r', ...raw });

describe('rule matching (pure)', () => {
  it('globs match any run of characters', () => {
    expect(globMatches('task.*', 'task.overdue')).toBe(true);
    expect(globMatches('task.*', 'task.')).toBe(true);
    expect(globMatches('task.*', 'tasks.overdue')).toBe(false);
    expect(globMatches('*.overdue', 'task.overdue')).toBe(true);
    expect(globMatches('a*b*c', 'aXbYc')).toBe(true);
    expect(globMatches('a*b*c', 'aXcYb')).toBe(false);
    expect(globMatches('exact', 'exact')).toBe(true);
  });

  it('every condition must hold: type, severity, status, attributes', () => {
    const r = rule({
      match: { type: 'task.*', severity: ['warning', 'critical'], attributes: { team: 'sre' } },
    });
    expect(ruleMatches(r, event())).toBe(true);
    expect(ruleMatches(r, event({ severity: 'info' }))).toBe(false);
    expect(ruleMatches(r, event({ type: 'deploy.done' }))).toBe(false);
    expect(ruleMatches(r, event({ attributes: { team: 'web' } }))).toBe(false);
    expect(ruleMatches(r, event({ attributes: {} }))).toBe(false);
    expect(ruleMatches(rule({ match: { status: 'resolved' } }), event())).toBe(false);
    expect(ruleMatches(rule({}), event())).toBe(true);
  });

  it('first match wins unless continue', () => {
    const a = rule({ name: 'a', continue: true });
    const b = rule({ name: 'b' });
    const c = rule({ name: 'c' });
    expect(selectRules([a, b, c], event()).map((r) => r.name)).toEqual(['a', 'b']);
    expect(selectRules([rule({ name: 'x', match: { type: 'nope' } })], event())).toEqual([]);
  });
});

describe('template variables and recipients (pure)', () => {
  it('exposes attributes as attributes.x and x plus the event built-ins', () => {
    const variables = eventVariables(event());
    expect(variables).toMatchObject({
      'attributes.assignee': 'u-5',
      assignee: 'u-5',
      severity: 'warning',
      type: 'task.overdue',
      summary: 'Task T-1 is overdue',
      preview_id: 'p1',
      target_url: 'https://tasks.example/T-1',
    });
    expect(fillPlaceholders('{{attributes.task}} by {{ assignee }}', variables)).toBe('T-1 by u-5');
    expect(fillPlaceholders('{{missing}}', variables)).toBeUndefined();
  });

  it('expands users (placeholders), groups and event users without repeats', () => {
    const r = rule({
      recipients: { users: ['{{attributes.assignee}}', '{{nope}}'], groups: ['g'], eventUsers: true },
    });
    expect(expandRecipients(r, event(), { g: ['u-7', 'u-5'] })).toEqual(['u-5', 'u-7', 'u-1']);
    expect(expandRecipients(DEFAULT_RULE, event({ userIds: [] }), {})).toEqual([]);
  });

  it('critical: fromSeverity follows the event; true/false are fixed', () => {
    expect(isCritical(rule({}), event({ severity: 'critical' }))).toBe(true);
    expect(isCritical(rule({}), event())).toBe(false);
    expect(isCritical(rule({ critical: true }), event())).toBe(true);
  });
});

describe('fan-out plan (pure)', () => {
  const registry = {
    get: (id: string) =>
      id === 'mock'
        ? { pluginId: 'mock', settings: [] }
        : id === 'app'
          ? { pluginId: 'feishu-openid', settings: [{ required: true }] }
          : undefined,
  } as unknown as ChannelRegistry;
  const setting = (userId: string, channel: string, enabled = true): UserChannelSetting => ({
    userId,
    channel,
    enabled,
    settings: {},
    timezone: '',
    locale: '',
    quietHours: null,
    state: 'valid',
    invalidReason: null,
    updatedAt: now,
  });
  const context = (rules: RoutingRule[], settings: Map<string, UserChannelSetting[]>) => ({
    rules,
    groups: {},
    channels: registry,
    settings,
    templates: { 'task.overdue': 'Overdue: {{task}}' },
    fallbackText: 'fallback',
    maxAttempts: 3,
    now,
    requestHash: 'h',
  });

  it('one record per (recipient, channel) with decisions, the event dedupe key, template by event type', () => {
    const plan = planFanOut(
      event({ userIds: ['u-1', 'u-2', 'u-3'] }),
      context(
        [DEFAULT_RULE],
        new Map([
          ['u-1', [setting('u-1', 'mock')]],
          ['u-2', [setting('u-2', 'mock', false)]],
        ]),
      ),
    );
    expect(plan.records.map((r) => [r.userId, r.channel, r.status, r.lastErrorCode])).toEqual([
      ['u-1', 'mock', 'pending', null],
      ['u-2', '', 'skipped', 'no_channel_config'],
      ['u-3', '', 'skipped', 'no_channel_config'],
    ]);
    expect(plan.records[0]).toMatchObject({
      dedupeKey: 'event:e1:default',
      messageText: 'Overdue: T-1',
      eventId: 'e1',
    });
    expect(plan.decisions.map((d) => [d.userId, d.outcome, d.reason, d.record])).toEqual([
      ['u-1', 'notified', '', 0],
      ['u-2', 'skipped', 'no_channel_config', 1],
      ['u-3', 'skipped', 'no_channel_config', 2],
    ]);
  });

  it('explicit channels: missing required settings skip; disabled skip', () => {
    const plan = planFanOut(
      event({ userIds: ['u-1'] }),
      context([rule({ channels: ['app', 'mock'] })], new Map([['u-1', [setting('u-1', 'mock', false)]]])),
    );
    expect(plan.decisions.map((d) => [d.channel, d.outcome, d.reason])).toEqual([
      ['app', 'skipped', 'no_channel_config'],
      ['mock', 'skipped', 'channel_disabled'],
    ]);
  });

  it('suppress, no_recipient and no_rule yield decisions only', () => {
    const suppressed = planFanOut(event(), context([rule({ suppress: true })], new Map()));
    expect(suppressed.records).toEqual([]);
    expect(suppressed.decisions).toEqual([
      { rule: 'r', userId: 'u-1', channel: '', outcome: 'suppressed', reason: 'rule_suppressed' },
    ]);
    expect(planFanOut(event({ userIds: [] }), context([DEFAULT_RULE], new Map())).decisions[0]?.outcome).toBe(
      'no_recipient',
    );
    expect(
      planFanOut(event(), context([rule({ match: { type: 'x' } })], new Map())).decisions[0]?.outcome,
    ).toBe('no_rule');
  });

  it('summary when no template applies, fallback when there is no summary either', () => {
    const plan = planFanOut(event({ type: 'other' }), context([rule({ channels: ['mock'] })], new Map()));
    expect(plan.records[0]?.messageText).toBe('Task T-1 is overdue');
    const empty = planFanOut(
      event({ type: 'other', summary: '' }),
      context([rule({ channels: ['mock'] })], new Map()),
    );
    expect(empty.records[0]).toMatchObject({ messageText: 'fallback', fallbackUsed: true });
  });
});

describe('event validation and idempotency hash', () => {
  const input = {
    eventId: 'e1',
    type: 't',
    severity: undefined,
    status: undefined,
    fingerprint: '',
    userIds: [],
    attributes: {},
    target: undefined,
    previewId: '',
    traceId: '',
    occurredAt: undefined,
    summary: '',
  };
  it('applies defaults and names bad fields', () => {
    const valid = validateEvent(input, now, 100);
    expect(valid).toMatchObject({
      severity: 'warning',
      status: 'firing',
      fingerprint: 'e1',
      occurredAt: now,
    });
    expect(() => validateEvent({ ...input, type: '' }, now, 100)).toThrow('event.type');
    expect(() => validateEvent({ ...input, userIds: [''] }, now, 100)).toThrow('event.user_ids[0]');
    expect(() => validateEvent({ ...input, eventId: 'x'.repeat(121) }, now, 100)).toThrow('event.event_id');
  });
  it('hashes the producer payload, not generated trace ids', () => {
    expect(eventPayloadHash({ ...input, traceId: 'a' })).toBe(eventPayloadHash({ ...input, traceId: 'b' }));
    expect(eventPayloadHash({ ...input, severity: 'warning' })).toBe(eventPayloadHash(input));
    expect(eventPayloadHash({ ...input, summary: 'x' })).not.toBe(eventPayloadHash(input));
    expect(eventPayloadHash({ ...input, callback: '' })).toBe(eventPayloadHash(input));
    expect(eventPayloadHash({ ...input, callback: 'ops' })).not.toBe(eventPayloadHash(input));
  });
});

describe('rules config', () => {
  const parse = (raw: Record<string, unknown>) => () => parseGatewayConfig(raw);
  it('is validated at boot with the key path', () => {
    expect(parse({ rules: [{ name: 'a', recipients: { groups: ['nope'] } }] })).toThrow(
      new ConfigError('rules[0].recipients.groups[0]', 'unknown group "nope"'),
    );
    expect(parse({ rules: [{ name: 'a', channels: ['feishu'] }] })).toThrow('rules[0].channels[0]');
    expect(parse({ rules: [{ name: 'a', template: 'x' }] })).toThrow('rules[0].template');
    expect(parse({ rules: [{ name: 'a' }, { name: 'a' }] })).toThrow('rules[1].name');
    expect(parse({ rules: [{ name: 'a', match: { severity: ['fatal'] } }] })).toThrow(
      'rules[0].match.severity',
    );
    expect(parse({ rules: [{ name: 'a', sendTo: [] }] })).toThrow('rules[0].sendTo');
    expect(parse({ ingest: { amqp: [{ exchange: 'x', bindingKeys: ['#'] }] } })).toThrow('ingest.amqp');
  });
  it('accepts the README example', () => {
    const config = parseGatewayConfig({
      channels: [{ id: 'feishu-app', plugin: 'mock' }],
      delivery: { templates: { task_overdue: 'x' } },
      groups: { 'sre-oncall': ['u-7', 'u-9'] },
      rules: [
        {
          name: 'overdue-to-assignee',
          match: { type: 'task.*', severity: ['warning', 'critical'], attributes: { team: 'sre' } },
          recipients: { users: ['{{attributes.assignee}}'], groups: ['sre-oncall'], eventUsers: true },
          channels: ['feishu-app'],
          template: 'task_overdue',
          critical: 'fromSeverity',
          suppress: false,
          continue: false,
        },
      ],
    });
    expect(config.rules[0]?.name).toBe('overdue-to-assignee');
  });
});
