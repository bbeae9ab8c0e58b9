/** Severity words as stored (proto enums appear only at the RPC edge). Default `warning`. */
export type Severity = 'info' | 'warning' | 'critical';

/** Event status words as stored. Default `firing`. */
export type EventStatus = 'firing' | 'resolved';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
export const EVENT_STATUSES: readonly EventStatus[] = ['firing', 'resolved'];

/** Where an event points (a task, a schedule preview, ...). */
export interface EventTarget {
  readonly type: string;
  readonly id: string;
  readonly url: string;
}

/**
 * An event as a producer hands it over (proto field names in camelCase, empty = unset): from
 * PublishEvent, an `ingest.amqp` queue, the Alertmanager webhook, or a fired ScheduleJob.
 */
export interface EventInput {
  readonly eventId: string;
  readonly type: string;
  /** Undefined means the default (`warning`). */
  readonly severity: Severity | undefined;
  /** Undefined means the default (`firing`). */
  readonly status: EventStatus | undefined;
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly target: EventTarget | undefined;
  readonly previewId: string;
  readonly traceId: string;
  readonly occurredAt: Date | undefined;
  readonly summary: string;
  /** Id of a configured status callback told about the event's notifications; '' or absent for none. */
  readonly callback?: string;
}

/** An event after validation: every default applied (table event_records holds exactly this). */
export interface NotifyEvent {
  readonly eventId: string;
  readonly type: string;
  readonly severity: Severity;
  readonly status: EventStatus;
  /** Defaults to eventId. */
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly target: EventTarget;
  readonly previewId: string;
  readonly traceId: string;
  readonly occurredAt: Date;
  readonly summary: string;
  /** The status callback its notifications report to (they store it; event_records does not); '' or absent for none. */
  readonly callback?: string;
}

/** What the decision trace says happened to one recipient on one channel. */
export type DecisionOutcome =
  'notified' | 'skipped' | 'suppressed' | 'deduplicated' | 'no_recipient' | 'no_rule';

/** One line of an event's decision trace (table event_decisions). */
export interface Decision {
  /** The rule that decided; '' for no_rule. */
  readonly rule: string;
  /** '' for no_rule and no_recipient. */
  readonly userId: string;
  /** '' when no channel was involved (suppressed without channels, no_rule, no channel config). */
  readonly channel: string;
  readonly outcome: DecisionOutcome;
  /** Why: the record's skip reason (`no_channel_config`, `channel_disabled`, `scheduled`), … */
  readonly reason: string;
  /** The record this decision created or found; '' when none. */
  readonly notificationId: string;
}
