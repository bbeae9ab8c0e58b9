import type { NotifyEvent } from './event.js';
import type { RoutingRule } from './routing-rules.js';

const asList = <T>(value: T | readonly T[] | undefined): readonly T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? (value as readonly T[]) : [value as T];

/** True when `value` matches `pattern`, where `*` stands for any run of characters (none included). */
export function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!value.startsWith(first) || value.length < first.length + last.length) return false;
  let at = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = value.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return value.length - last.length >= at && value.endsWith(last);
}

/** True when every condition of the rule's `match` holds for the event. */
export function ruleMatches(rule: RoutingRule, event: NotifyEvent): boolean {
  const { match } = rule;
  const types = asList(match.type);
  if (types && !types.some((pattern) => globMatches(pattern, event.type))) return false;
  const severities = asList(match.severity);
  if (severities && !severities.includes(event.severity)) return false;
  const statuses = asList(match.status);
  if (statuses && !statuses.includes(event.status)) return false;
  for (const [name, wanted] of Object.entries(match.attributes ?? {})) {
    const value = event.attributes[name];
    if (value === undefined) return false;
    if (!(asList(wanted) ?? []).some((pattern) => globMatches(pattern, value))) return false;
  }
  return true;
}

/**
 * The rules that decide an event, in order: every matching rule up to and including the first
 * whose `continue` is false (so by default the first match wins). Empty means `no_rule`.
 */
export function selectRules(rules: readonly RoutingRule[], event: NotifyEvent): RoutingRule[] {
  const selected: RoutingRule[] = [];
  for (const rule of rules) {
    if (!ruleMatches(rule, event)) continue;
    selected.push(rule);
    if (!rule.continue) break;
  }
  return selected;
}
