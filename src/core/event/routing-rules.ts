import { z } from 'zod';
import { SEVERITIES, EVENT_STATUSES } from './event.js';

/** Rule names go into dedupe keys and metric labels: short and plain. */
const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/;

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** What an event must look like for a rule to apply; every given condition must hold. */
const matchSchema = z.strictObject({
  /** Event type, or several; `*` matches any run of characters (`task.*`). */
  type: oneOrMany.optional(),
  /** Any of these severities. */
  severity: z.union([z.enum(SEVERITIES), z.array(z.enum(SEVERITIES)).min(1)]).optional(),
  /** Any of these statuses (default: both). */
  status: z.union([z.enum(EVENT_STATUSES), z.array(z.enum(EVENT_STATUSES)).min(1)]).optional(),
  /** Attribute name → value (or any of several values, `*` globs allowed). */
  attributes: z.record(z.string().min(1), oneOrMany).optional(),
});

const recipientsSchema = z.strictObject({
  /** User ids; `{{attributes.x}}` / `{{x}}` placeholders take them from the event. */
  users: z.array(z.string().min(1)).default([]),
  /** Keys of the top-level `groups`. */
  groups: z.array(z.string().min(1)).default([]),
  /** Also the event's own `user_ids`. */
  eventUsers: z.boolean().default(false),
});

/** One routing rule (README "From anomaly to message"). */
export const ruleSchema = z.strictObject({
  name: z.string().regex(RULE_NAME, 'must match [A-Za-z0-9][A-Za-z0-9_.-]*, at most 60 characters'),
  match: matchSchema.default({}),
  /** Omitted: the event's user_ids. */
  recipients: recipientsSchema.default({ users: [], groups: [], eventUsers: true }),
  /** Channel ids; omitted: each recipient's enabled channels. */
  channels: z.array(z.string().min(1)).min(1).optional(),
  /** A delivery.templates key; omitted: the template named by the event type, else the summary. */
  template: z.string().min(1).optional(),
  /** Bypass quiet hours: always, never, or when the event's severity is critical (default). */
  critical: z.union([z.boolean(), z.literal('fromSeverity')]).default('fromSeverity'),
  /** Record the decision and notify no one. */
  suppress: z.boolean().default(false),
  /** Keep evaluating later rules after this one matched (default: first match wins). */
  continue: z.boolean().default(false),
});

/** A validated routing rule. */
export type RoutingRule = z.infer<typeof ruleSchema>;

/** Named lists of user ids rules may address. */
export const groupsSchema = z.record(z.string().min(1), z.array(z.string().min(1).max(128)));

/** The rule used when none is configured: the event's user_ids through their enabled channels. */
export const DEFAULT_RULE: RoutingRule = {
  name: 'default',
  match: {},
  recipients: { users: [], groups: [], eventUsers: true },
  critical: 'fromSeverity',
  suppress: false,
  continue: false,
};

/** The rules an event is routed through: the configured ones, or the built-in default. */
export function effectiveRules(configured: readonly RoutingRule[]): readonly RoutingRule[] {
  return configured.length > 0 ? configured : [DEFAULT_RULE];
}

/** Where a rule refers to something that must exist elsewhere in the config. */
export interface RuleReferenceIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Cross-checks rules against the rest of the config: unique names, known groups, channels and
 * templates. Returns every problem with its key path (config loading reports the first).
 */
export function checkRuleReferences(
  rules: readonly RoutingRule[],
  groups: Readonly<Record<string, readonly string[]>>,
  channelIds: ReadonlySet<string>,
  templates: Readonly<Record<string, string>>,
): RuleReferenceIssue[] {
  const issues: RuleReferenceIssue[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.name))
      issues.push({ path: ['rules', i, 'name'], message: `duplicate rule name "${rule.name}"` });
    seen.add(rule.name);
    rule.recipients.groups.forEach((group, j) => {
      if (!Object.hasOwn(groups, group))
        issues.push({ path: ['rules', i, 'recipients', 'groups', j], message: `unknown group "${group}"` });
    });
    rule.channels?.forEach((channel, j) => {
      if (!channelIds.has(channel))
        issues.push({ path: ['rules', i, 'channels', j], message: `unknown channel "${channel}"` });
    });
    if (rule.template !== undefined && !Object.hasOwn(templates, rule.template))
      issues.push({
        path: ['rules', i, 'template'],
        message: `"${rule.template}" is not a delivery.templates key`,
      });
  });
  return issues;
}
