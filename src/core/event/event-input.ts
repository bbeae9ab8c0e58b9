import { createHash } from 'node:crypto';
import { canonicalJson } from '../schedule/job-payload.js';
import { FIELD_LIMITS } from '../delivery/trigger-input.js';
import { invalidField } from '../shared/gateway-error.js';
import { newTraceId } from '../shared/ids.js';
import type { EventInput, NotifyEvent } from './event.js';

/**
 * Widths of an event's fields. `eventId` and rule names are bounded so the dedupe key of its
 * notifications (`event:<event_id>:<rule>`) fits notification_records.dedupe_key (191).
 */
export const EVENT_LIMITS = {
  eventId: 120,
  type: FIELD_LIMITS.triggerType,
  fingerprint: 191,
  userIds: 1000,
  userId: FIELD_LIMITS.userId,
  attributeEntries: 64,
  attributeKey: 64,
  attributeValue: 1024,
  previewId: FIELD_LIMITS.previewId,
  traceId: FIELD_LIMITS.traceId,
  targetType: FIELD_LIMITS.targetType,
  targetId: FIELD_LIMITS.targetId,
  targetUrl: FIELD_LIMITS.targetUrl,
} as const;

function limit(field: string, value: string, max: number, required = false): void {
  if (required && value.trim().length === 0) throw invalidField(field, 'field_required', 'is required');
  if (value.length > max) throw invalidField(field, 'field_too_long', `is longer than ${max} characters`);
}

function validateUrl(field: string, url: string): void {
  if (!url) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidField(field, 'invalid_url', 'is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw invalidField(field, 'invalid_url', 'must be an http or https URL');
}

/**
 * Validate an event and apply defaults (severity warning, status firing, fingerprint ← event_id,
 * occurred_at ← now, trace id generated). Throws InvalidArgument naming the first bad field
 * (`event.` prefixed, as the request spells it); nothing is stored for a rejected event.
 */
export function validateEvent(input: EventInput, now: Date, maxSummaryLength: number): NotifyEvent {
  limit('event.event_id', input.eventId, EVENT_LIMITS.eventId, true);
  limit('event.type', input.type, EVENT_LIMITS.type, true);
  limit('event.fingerprint', input.fingerprint, EVENT_LIMITS.fingerprint);
  if (input.userIds.length > EVENT_LIMITS.userIds)
    throw invalidField('event.user_ids', 'too_many_entries', `has more than ${EVENT_LIMITS.userIds} entries`);
  input.userIds.forEach((userId, i) => limit(`event.user_ids[${i}]`, userId, EVENT_LIMITS.userId, true));
  const attributes = Object.entries(input.attributes);
  if (attributes.length > EVENT_LIMITS.attributeEntries) {
    throw invalidField(
      'event.attributes',
      'too_many_entries',
      `has more than ${EVENT_LIMITS.attributeEntries} entries`,
    );
  }
  for (const [key, value] of attributes) {
    limit(`event.attributes.${key}`, key, EVENT_LIMITS.attributeKey, true);
    limit(`event.attributes.${key}`, value, EVENT_LIMITS.attributeValue);
  }
  const target = input.target ?? { type: '', id: '', url: '' };
  limit('event.target.type', target.type, EVENT_LIMITS.targetType);
  limit('event.target.id', target.id, EVENT_LIMITS.targetId);
  limit('event.target.url', target.url, EVENT_LIMITS.targetUrl);
  validateUrl('event.target.url', target.url);
  limit('event.preview_id', input.previewId, EVENT_LIMITS.previewId);
  limit('event.trace_id', input.traceId, EVENT_LIMITS.traceId);
  if (input.summary.length > maxSummaryLength)
    throw invalidField('event.summary', 'text_too_long', `is longer than ${maxSummaryLength} characters`);
  const occurredAt = input.occurredAt ?? now;
  if (
    Number.isNaN(occurredAt.getTime()) ||
    occurredAt.getUTCFullYear() < 1970 ||
    occurredAt.getUTCFullYear() > 9999
  )
    throw invalidField('event.occurred_at', 'invalid_value', 'must be between 1970 and 9999');
  return {
    eventId: input.eventId,
    type: input.type,
    severity: input.severity ?? 'warning',
    status: input.status ?? 'firing',
    fingerprint: input.fingerprint || input.eventId,
    userIds: [...input.userIds],
    attributes: { ...input.attributes },
    target: { type: target.type, id: target.id, url: target.url },
    previewId: input.previewId,
    traceId: input.traceId || newTraceId(),
    occurredAt,
    summary: input.summary,
    callback: input.callback ?? '',
  };
}

/**
 * sha256 hex of what makes two publishes "the same event": every field the producer chose, with
 * defaults applied but without the generated ones (a missing trace id or occurred_at), so a
 * producer retrying the identical request is deduplicated and a changed payload is a conflict.
 */
export function eventPayloadHash(input: EventInput): string {
  const canonical = canonicalJson({
    eventId: input.eventId,
    type: input.type,
    severity: input.severity ?? 'warning',
    status: input.status ?? 'firing',
    fingerprint: input.fingerprint || input.eventId,
    userIds: [...input.userIds],
    attributes: { ...input.attributes },
    target: input.target ?? { type: '', id: '', url: '' },
    previewId: input.previewId,
    summary: input.summary,
    occurredAt: input.occurredAt?.toISOString() ?? '',
    // Only when set, so the hashes of events published before the field existed still match.
    ...(input.callback ? { callback: input.callback } : {}),
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
