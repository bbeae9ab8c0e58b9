import { create, fromBinary, fromJson } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  DecisionSchema,
  EventSchema,
  EventStatus,
  Severity,
  type Decision as ProtoDecision,
  type Event,
} from '../../gen/notify/v1/event_service_pb.js';
import type {
  Decision,
  EventInput,
  EventStatus as StoredStatus,
  NotifyEvent,
  Severity as StoredSeverity,
} from '../../core/event/event.js';
import { GatewayError, invalidField } from '../../core/shared/gateway-error.js';

const SEVERITY_TO_PROTO: Record<StoredSeverity, Severity> = {
  info: Severity.INFO,
  warning: Severity.WARNING,
  critical: Severity.CRITICAL,
};

const STATUS_TO_PROTO: Record<StoredStatus, EventStatus> = {
  firing: EventStatus.FIRING,
  resolved: EventStatus.RESOLVED,
};

function fromProtoEnum<K extends string, V>(table: Record<K, V>, value: V): K | undefined {
  return (Object.keys(table) as K[]).find((key) => table[key] === value);
}

/** Stored event status of a proto value; undefined for UNSPECIFIED; InvalidArgument for unknown. */
export function eventStatusFromProto(status: EventStatus, field: string): StoredStatus | undefined {
  if (status === EventStatus.UNSPECIFIED) return undefined;
  const stored = fromProtoEnum(STATUS_TO_PROTO, status);
  if (!stored) throw invalidField(field, 'invalid_value', 'is not an event status');
  return stored;
}

/** A proto Event as the core's input; the trace id falls back to the traceparent header's. */
export function eventInputFromProto(event: Event, headerTraceId?: string): EventInput {
  let severity: StoredSeverity | undefined;
  if (event.severity !== Severity.UNSPECIFIED) {
    severity = fromProtoEnum(SEVERITY_TO_PROTO, event.severity);
    if (!severity) throw invalidField('event.severity', 'invalid_value', 'is not a severity');
  }
  return {
    eventId: event.eventId,
    type: event.type,
    severity,
    status: eventStatusFromProto(event.status, 'event.status'),
    fingerprint: event.fingerprint,
    userIds: [...event.userIds],
    attributes: { ...event.attributes },
    target: event.target
      ? { type: event.target.type, id: event.target.id, url: event.target.url }
      : undefined,
    previewId: event.previewId,
    traceId: event.traceId || headerTraceId || '',
    occurredAt: event.occurredAt ? timestampDate(event.occurredAt) : undefined,
    summary: event.summary,
    callback: event.callback,
  };
}

/** A stored (or scheduled) event as the API's Event. */
export function toProtoEvent(event: NotifyEvent | EventInput): Event {
  return create(EventSchema, {
    eventId: event.eventId,
    type: event.type,
    severity: event.severity ? SEVERITY_TO_PROTO[event.severity] : Severity.UNSPECIFIED,
    status: event.status ? STATUS_TO_PROTO[event.status] : EventStatus.UNSPECIFIED,
    fingerprint: event.fingerprint,
    userIds: [...event.userIds],
    attributes: { ...event.attributes },
    target:
      event.target && (event.target.type || event.target.id || event.target.url)
        ? { ...event.target }
        : undefined,
    previewId: event.previewId,
    traceId: event.traceId,
    occurredAt: event.occurredAt ? timestampFromDate(event.occurredAt) : undefined,
    summary: event.summary,
    callback: event.callback ?? '',
  });
}

/** A decision as the API's Decision. */
export function toProtoDecision(decision: Decision): ProtoDecision {
  return create(DecisionSchema, { ...decision });
}

const PROTOBUF_TYPES = new Set([
  'application/protobuf',
  'application/x-protobuf',
  'application/vnd.google.protobuf',
]);

/**
 * The Event a broker message body carries: proto JSON (content type JSON or none) or binary
 * protobuf (`application/protobuf` and its aliases). Throws InvalidArgument `invalid_event_body`
 * naming what is wrong; field validation happens on publish.
 */
export function decodeEventBody(body: Buffer, contentType: string | undefined): EventInput {
  const type = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  let event: Event;
  try {
    if (PROTOBUF_TYPES.has(type)) event = fromBinary(EventSchema, body);
    else if (type === '' || type === 'application/json' || type.endsWith('+json'))
      event = fromJson(EventSchema, JSON.parse(body.toString('utf8')) as never);
    else throw new Error(`unsupported content type ${type}`);
  } catch (error) {
    throw new GatewayError(
      'invalid_argument',
      'invalid_event_body',
      `body is not an Event: ${(error as Error).message}`,
    );
  }
  return eventInputFromProto(event);
}
