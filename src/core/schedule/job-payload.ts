import { createHash } from 'node:crypto';
import type { TriggerInput } from '../delivery/trigger-input.js';
import {
  EVENT_STATUSES,
  SEVERITIES,
  type EventInput,
  type EventStatus,
  type Severity,
} from '../event/event.js';

/** JSON with object keys sorted at every depth, so equal triggers serialize to equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The trigger as stored: every optional part made explicit, so a request that omits `target` and
 * one that sends an empty target hash the same (proto3 cannot tell them apart either).
 */
export function normalizeTrigger(trigger: TriggerInput): TriggerInput {
  return {
    userId: trigger.userId,
    triggerId: trigger.triggerId,
    triggerType: trigger.triggerType,
    previewId: trigger.previewId,
    target: trigger.target ?? { type: '', id: '', url: '' },
    message: trigger.message ?? { text: '', template: '', variables: {} },
    channels: [...trigger.channels],
    dedupeKey: trigger.dedupeKey,
    critical: trigger.critical,
    traceId: trigger.traceId,
    metadata: { ...trigger.metadata },
  };
}

/** Canonical JSON text of a trigger (what trigger_payload holds). */
export function serializeTrigger(trigger: TriggerInput): string {
  return canonicalJson(normalizeTrigger(trigger));
}

/** sha256 hex of the canonical trigger: ScheduleJob's idempotency fingerprint. */
export function triggerPayloadHash(trigger: TriggerInput): string {
  return createHash('sha256').update(serializeTrigger(trigger), 'utf8').digest('hex');
}

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

function object(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function stringMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(object(value))) if (typeof entry === 'string') map[key] = entry;
  return map;
}

/** Reads trigger_payload back; a row written by another version still yields a well-typed input. */
export function parseTriggerPayload(json: string): TriggerInput {
  const record = object(JSON.parse(json) as unknown);
  const target = object(record.target);
  const message = object(record.message);
  return {
    userId: text(record, 'userId'),
    triggerId: text(record, 'triggerId'),
    triggerType: text(record, 'triggerType'),
    previewId: text(record, 'previewId'),
    target: { type: text(target, 'type'), id: text(target, 'id'), url: text(target, 'url') },
    message: {
      text: text(message, 'text'),
      template: text(message, 'template'),
      variables: stringMap(message.variables),
    },
    channels: Array.isArray(record.channels)
      ? record.channels.filter((channel): channel is string => typeof channel === 'string')
      : [],
    dedupeKey: text(record, 'dedupeKey'),
    critical: record.critical === true,
    traceId: text(record, 'traceId'),
    metadata: stringMap(record.metadata),
  };
}

/** An event as stored in a job: every optional part explicit, the time as ISO text. */
function normalizeEvent(event: EventInput): Record<string, unknown> {
  return {
    eventId: event.eventId,
    type: event.type,
    severity: event.severity ?? '',
    status: event.status ?? '',
    fingerprint: event.fingerprint,
    userIds: [...event.userIds],
    attributes: { ...event.attributes },
    target: event.target ?? { type: '', id: '', url: '' },
    previewId: event.previewId,
    traceId: event.traceId,
    occurredAt: event.occurredAt?.toISOString() ?? '',
    summary: event.summary,
  };
}

/**
 * trigger_payload of a job: the canonical trigger, or `{"event":…}` for a job that publishes an
 * event when due (rows written before events existed hold a bare trigger).
 */
export function serializeJobPayload(job: { trigger: TriggerInput; event?: EventInput | null }): string {
  return job.event ? canonicalJson({ event: normalizeEvent(job.event) }) : serializeTrigger(job.trigger);
}

/** sha256 hex of the canonical payload: ScheduleJob's idempotency fingerprint. */
export function jobPayloadHash(job: { trigger: TriggerInput; event?: EventInput | null }): string {
  return createHash('sha256').update(serializeJobPayload(job), 'utf8').digest('hex');
}

function parseEvent(value: Record<string, unknown>): EventInput {
  const target = object(value.target);
  const severity = text(value, 'severity');
  const status = text(value, 'status');
  const occurredAt = text(value, 'occurredAt');
  return {
    eventId: text(value, 'eventId'),
    type: text(value, 'type'),
    severity: (SEVERITIES as readonly string[]).includes(severity) ? (severity as Severity) : undefined,
    status: (EVENT_STATUSES as readonly string[]).includes(status) ? (status as EventStatus) : undefined,
    fingerprint: text(value, 'fingerprint'),
    userIds: Array.isArray(value.userIds)
      ? value.userIds.filter((id): id is string => typeof id === 'string')
      : [],
    attributes: stringMap(value.attributes),
    target: { type: text(target, 'type'), id: text(target, 'id'), url: text(target, 'url') },
    previewId: text(value, 'previewId'),
    traceId: text(value, 'traceId'),
    occurredAt: occurredAt ? new Date(occurredAt) : undefined,
    summary: text(value, 'summary'),
  };
}

/** Reads trigger_payload back: the trigger (empty for an event job) and the event, if any. */
export function parseJobPayload(json: string): { trigger: TriggerInput; event: EventInput | null } {
  const record = object(JSON.parse(json) as unknown);
  if (record.event !== undefined) {
    return { trigger: parseTriggerPayload('{}'), event: parseEvent(object(record.event)) };
  }
  return { trigger: parseTriggerPayload(json), event: null };
}
