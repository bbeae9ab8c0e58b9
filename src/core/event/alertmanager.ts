import { createHash } from 'node:crypto';
import { canonicalJson } from '../schedule/job-payload.js';
import { invalidField } from '../shared/gateway-error.js';
import type { EventInput, Severity } from './event.js';
import { EVENT_LIMITS } from './event-input.js';

/*
 * Alertmanager's webhook (payload version 4) as events, so Prometheus alerts reach users through
 * the same rules: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */

const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  page: 'critical',
  error: 'critical',
  high: 'critical',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  info: 'info',
  low: 'info',
  none: 'info',
};

function object(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalidField(field, 'invalid_value', 'must be an object');
  return value as Record<string, unknown>;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const map: Record<string, string> = {};
  for (const [key, item] of Object.entries(object(value, field)))
    if (typeof item === 'string') map[key] = item;
  return map;
}

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

function time(value: string): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  // Alertmanager sends endsAt 0001-01-01T00:00:00Z for alerts that have not ended.
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 ? undefined : date;
}

/** Labels, then annotations not shadowed by a label, within the event attribute limits. */
function attributesOf(
  labels: Record<string, string>,
  annotations: Record<string, string>,
): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [key, value] of [...Object.entries(labels), ...Object.entries(annotations)]) {
    if (Object.hasOwn(attributes, key) || key.length > EVENT_LIMITS.attributeKey) continue;
    if (Object.keys(attributes).length >= EVENT_LIMITS.attributeEntries) break;
    attributes[key] = value.slice(0, EVENT_LIMITS.attributeValue);
  }
  return attributes;
}

/**
 * The events of an Alertmanager webhook payload, one per alert: type ← `alertname`, fingerprint ←
 * the alert's `fingerprint`, event_id ← fingerprint + status + startsAt (so Alertmanager's repeats
 * of one notification are deduplicated while a new firing or its resolution are new events),
 * status firing/resolved, severity ← the `severity` label (critical/page/error → critical,
 * warning → warning, info/none → info, else warning), labels and annotations as attributes,
 * summary ← the `summary` (else `description`) annotation, target url ← generatorURL.
 * `userIds` are added to every event (the webhook's `user_ids` query parameter). Throws
 * InvalidArgument naming the field for a payload that is not version 4.
 */
export function alertmanagerEvents(payload: unknown, userIds: readonly string[] = []): EventInput[] {
  const body = object(payload, 'body');
  if (text(body, 'version') !== '4') throw invalidField('version', 'invalid_value', 'must be "4"');
  if (!Array.isArray(body.alerts)) throw invalidField('alerts', 'field_required', 'must be a list');
  return body.alerts.map((raw, i) => {
    const alert = object(raw, `alerts[${i}]`);
    const labels = stringMap(alert.labels, `alerts[${i}].labels`);
    const annotations = stringMap(alert.annotations, `alerts[${i}].annotations`);
    const status = text(alert, 'status') === 'resolved' ? 'resolved' : 'firing';
    const startsAt = text(alert, 'startsAt');
    const fingerprint =
      text(alert, 'fingerprint') ||
      createHash('sha256').update(canonicalJson(labels)).digest('hex').slice(0, 16);
    const type = labels.alertname ?? '';
    if (!type) throw invalidField(`alerts[${i}].labels.alertname`, 'field_required', 'is required');
    return {
      eventId: `am:${fingerprint}:${status}:${startsAt}`.slice(0, EVENT_LIMITS.eventId),
      type,
      severity: SEVERITY_WORDS[(labels.severity ?? '').toLowerCase()] ?? 'warning',
      status,
      fingerprint,
      userIds: [...userIds],
      attributes: attributesOf(labels, annotations),
      target: { type: 'alert', id: fingerprint, url: text(alert, 'generatorURL') },
      previewId: '',
      traceId: '',
      occurredAt: time(status === 'resolved' ? text(alert, 'endsAt') : startsAt) ?? time(startsAt),
      summary: annotations.summary ?? annotations.description ?? type,
    } satisfies EventInput;
  });
}
