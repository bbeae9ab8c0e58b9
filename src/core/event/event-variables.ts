import type { NotifyEvent } from './event.js';
import type { RoutingRule } from './routing-rules.js';

/** notification_records.user_id width. */
const MAX_USER_ID_LENGTH = 128;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/**
 * The template variables of an event: each attribute as `attributes.<name>` and as plain `<name>`,
 * plus `event_id`, `type`, `severity`, `status`, `fingerprint`, `summary`, `preview_id`,
 * `target_type`, `target_id`, `target_url` (built-ins win over a same-named plain attribute).
 */
export function eventVariables(event: NotifyEvent): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    variables[name] = value;
    variables[`attributes.${name}`] = value;
  }
  return Object.assign(variables, {
    event_id: event.eventId,
    type: event.type,
    severity: event.severity,
    status: event.status,
    fingerprint: event.fingerprint,
    summary: event.summary,
    preview_id: event.previewId,
    target_type: event.target.type,
    target_id: event.target.id,
    target_url: event.target.url,
  });
}

/** `{{name}}` substituted from `variables`; undefined when a variable is missing or the result is empty. */
export function fillPlaceholders(
  text: string,
  variables: Readonly<Record<string, string>>,
): string | undefined {
  let missing = false;
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = variables[name];
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing || filled.trim().length === 0 ? undefined : filled.trim();
}

/**
 * The user ids a rule addresses for an event, in order without repeats: `users` (placeholders
 * filled; one that cannot be filled addresses no one), then `groups`, then the event's user_ids.
 */
export function expandRecipients(
  rule: RoutingRule,
  event: NotifyEvent,
  groups: Readonly<Record<string, readonly string[]>>,
  variables: Readonly<Record<string, string>> = eventVariables(event),
): string[] {
  const users = new Set<string>();
  for (const user of rule.recipients.users) {
    const filled = fillPlaceholders(user, variables);
    // An id no record could hold (a malformed attribute) addresses no one.
    if (filled !== undefined && filled.length <= MAX_USER_ID_LENGTH) users.add(filled);
  }
  for (const group of rule.recipients.groups) for (const user of groups[group] ?? []) users.add(user);
  if (rule.recipients.eventUsers) for (const user of event.userIds) users.add(user);
  return [...users];
}

/** Whether notifications of this rule bypass quiet hours for this event. */
export function isCritical(rule: RoutingRule, event: NotifyEvent): boolean {
  return rule.critical === 'fromSeverity' ? event.severity === 'critical' : rule.critical;
}
