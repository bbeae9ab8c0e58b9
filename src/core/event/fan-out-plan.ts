import type { ChannelRegistry } from '../channels/channel-registry.js';
import { placeUser, type Placement } from '../delivery/channel-placement.js';
import { renderMessage, type RenderedMessage } from '../delivery/render-message.js';
import type { NewNotification } from '../notification/notification-record.js';
import { newId } from '../shared/ids.js';
import type { UserChannelSetting } from '../user-config/channel-settings-source.js';
import type { NotifyEvent } from './event.js';
import type { DecisionDraft } from './event-store.js';
import { eventVariables, expandRecipients, isCritical } from './event-variables.js';
import type { RoutingRule } from './routing-rules.js';
import { selectRules } from './rule-matching.js';

/** What planning a fan-out reads besides the event; all of it already loaded. */
export interface FanOutContext {
  readonly rules: readonly RoutingRule[];
  readonly groups: Readonly<Record<string, readonly string[]>>;
  readonly channels: ChannelRegistry;
  /** Every stored channel setting of every recipient (absent user: none). */
  readonly settings: ReadonlyMap<string, readonly UserChannelSetting[]>;
  readonly templates: Readonly<Record<string, string>>;
  readonly fallbackText: string;
  readonly maxAttempts: number;
  readonly now: Date;
  /** The event's payload hash: every record's request hash (a repeat with another payload differs). */
  readonly requestHash: string;
}

/** The records and the decision trace an event produces, before anything is stored. */
export interface FanOutPlan {
  readonly records: NewNotification[];
  readonly decisions: DecisionDraft[];
}

/** The dedupe key of an event's notifications under one rule: repeats of the event find them. */
export function eventDedupeKey(eventId: string, rule: string): string {
  return `event:${eventId}:${rule}`;
}

/** Rule template, else the template named by the event type, else the summary, else the fallback. */
function render(
  rule: RoutingRule,
  event: NotifyEvent,
  context: FanOutContext,
  variables: Readonly<Record<string, string>>,
): RenderedMessage {
  const template = rule.template ?? (Object.hasOwn(context.templates, event.type) ? event.type : undefined);
  if (template === undefined) {
    return event.summary.trim().length > 0
      ? { text: event.summary, fallbackUsed: false }
      : { text: context.fallbackText, fallbackUsed: true };
  }
  return renderMessage(
    { text: '', template, variables },
    event.type,
    context.templates,
    {},
    context.fallbackText,
  );
}

function decisionOf(rule: string, userId: string, placement: Placement, record: number): DecisionDraft {
  const { channel } = placement;
  if (placement.status === 'pending')
    return { rule, userId, channel, outcome: 'notified', reason: '', record };
  // A quiet-hours record is SCHEDULED: sent when the window ends (reason `scheduled`).
  const reason = placement.status === 'scheduled' ? 'scheduled' : (placement.reason ?? '');
  return { rule, userId, channel, outcome: 'skipped', reason, record };
}

/**
 * Decide who is told about an event, where and how (pure: no I/O, ids from the clock's time):
 * the selected rules (selectRules), each rule's recipients (expandRecipients), and per recipient
 * one record per channel through the same placement as Trigger (disabled, unconfigured, quiet
 * hours), with one decision per recipient and channel. Suppressing rules, rules whose recipients
 * resolve to no one, and events no rule matches yield decisions only.
 */
export function planFanOut(event: NotifyEvent, context: FanOutContext): FanOutPlan {
  const records: NewNotification[] = [];
  const decisions: DecisionDraft[] = [];
  const rules = selectRules(context.rules, event);
  if (rules.length === 0) {
    decisions.push({ rule: '', userId: '', channel: '', outcome: 'no_rule', reason: 'no_matching_rule' });
    return { records, decisions };
  }
  const variables = eventVariables(event);
  for (const rule of rules) {
    const recipients = expandRecipients(rule, event, context.groups, variables);
    if (recipients.length === 0) {
      decisions.push({
        rule: rule.name,
        userId: '',
        channel: '',
        outcome: 'no_recipient',
        reason: 'no_recipients',
      });
      continue;
    }
    const wanted = rule.channels ? [...new Set(rule.channels)] : undefined;
    if (rule.suppress) {
      for (const userId of recipients)
        for (const channel of wanted ?? [''])
          decisions.push({
            rule: rule.name,
            userId,
            channel,
            outcome: 'suppressed',
            reason: 'rule_suppressed',
          });
      continue;
    }
    const critical = isCritical(rule, event);
    const dedupeKey = eventDedupeKey(event.eventId, rule.name);
    for (const userId of recipients) {
      const message = render(rule, event, context, { ...variables, user_id: userId });
      const placements = placeUser(
        context.channels,
        wanted,
        context.settings.get(userId) ?? [],
        critical,
        context.now,
      );
      for (const placement of placements) {
        decisions.push(decisionOf(rule.name, userId, placement, records.length));
        records.push({
          id: newId(context.now),
          userId,
          channel: placement.channel,
          plugin: placement.plugin,
          triggerId: event.eventId,
          triggerType: event.type,
          previewId: event.previewId,
          targetType: event.target.type,
          targetId: event.target.id,
          targetUrl: event.target.url,
          messageText: message.text,
          fallbackUsed: message.fallbackUsed,
          traceId: event.traceId,
          dedupeKey,
          critical,
          metadata: event.attributes,
          status: placement.status,
          maxAttempts: context.maxAttempts,
          nextAttemptAt: placement.scheduledAt ?? context.now,
          lastErrorCode: placement.reason,
          lastErrorMessage: placement.reason ? `skipped: ${placement.reason}` : null,
          scheduledAt: placement.scheduledAt,
          eventId: event.eventId,
          severity: event.severity,
          requestHash: context.requestHash,
          callback: event.callback,
        });
      }
    }
  }
  return { records, decisions };
}
