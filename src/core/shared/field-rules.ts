import { invalidField } from './gateway-error.js';

/*
 * The rules every RPC applies to the values it stores or looks up, so that Trigger, ScheduleJob,
 * the queries and ConfigService agree on what an id is and how long a value may be. Limits are
 * what the columns hold: VARCHAR(n) in utf8mb4 holds n characters (code points), TEXT columns are
 * checked in UTF-8 bytes where they are written.
 */

/** Longest part of a caller's value an error message repeats (a NOT_FOUND must not echo 1 MB). */
export const ECHO_MAX_CHARS = 64;

/** A caller's value for an error message: cut to ECHO_MAX_CHARS characters plus "…", then quoted. */
export function echo(value: string): string {
  return JSON.stringify(value.length > ECHO_MAX_CHARS ? `${value.slice(0, ECHO_MAX_CHARS)}…` : value);
}

// \s covers Unicode white space (NBSP, U+3000, …): "alice\u00a0" is as invisible as "alice ".
const EDGE_SPACE = /^\s|\s$/u;
const CONTROL = /\p{Cc}/u;
// A lone UTF-16 surrogate cannot be stored as UTF-8 (it becomes U+FFFD), so the stored id would differ.
const LONE_SURROGATE = /\p{Cs}/u;

/** Characters as a utf8mb4 VARCHAR counts them (code points); .length counts a pair as two. */
function exceeds(value: string, maxChars: number): boolean {
  if (value.length <= maxChars) return false;
  if (value.length > maxChars * 2) return true;
  let count = 0;
  for (const _ of value) if (++count > maxChars) return true;
  return false;
}

/** Rejects a value longer than its column holds with `field_too_long`. */
export function checkLength(field: string, value: string, maxChars: number): void {
  if (exceeds(value, maxChars))
    throw invalidField(field, 'field_too_long', `is longer than ${maxChars} characters`);
}

/**
 * Checks an identity (user_id, trigger_id, dedupe_key, job_key, channel, notification id): ids are
 * compared byte for byte, so a value with leading or trailing white space, a control character or
 * a lone surrogate is rejected (`invalid_value`) rather than stored as a look-alike of another id.
 * Empty is `field_required` when `required`, else allowed (an absent filter).
 */
export function checkId(field: string, value: string, maxChars: number, required = true): void {
  if (value.length === 0) {
    if (required) throw invalidField(field, 'field_required', 'is required');
    return;
  }
  checkLength(field, value, maxChars);
  if (value.trim().length === 0 && required) throw invalidField(field, 'field_required', 'is required');
  if (EDGE_SPACE.test(value)) {
    throw invalidField(field, 'invalid_value', 'must not start or end with white space');
  }
  if (CONTROL.test(value)) throw invalidField(field, 'invalid_value', 'must not contain control characters');
  if (LONE_SURROGATE.test(value)) {
    throw invalidField(field, 'invalid_value', 'must be valid Unicode (a lone surrogate cannot be stored)');
  }
}

/** Column widths (characters) of the id columns, shared by every RPC that takes them. */
export const ID_LIMITS = {
  notificationId: 36,
  userId: 128,
  channel: 64,
  triggerId: 191,
  dedupeKey: 191,
} as const;
