import { Code, ConnectError } from '@connectrpc/connect';
import { createConnection } from 'mysql2/promise';
import { expect } from 'vitest';
import type { NotificationClient } from '../../helpers/notify-clients.js';
import { uniqueSuffix } from '../../helpers/test-env.js';
import { sleep } from '../../helpers/wait-for.js';

/** What one Trigger call answered. */
export interface TriggerAnswer {
  readonly key: string;
  readonly userId: string;
  /** The record id when Trigger answered OK (accepted = committed). */
  readonly id?: string;
  /** The Connect code name when it failed (`unavailable`, …). */
  readonly error?: string;
  /** True when an OK answer found the record already stored (a repeat of the same key). */
  readonly deduplicated?: boolean;
}

/** Options of {@link driveTriggers}. */
export interface DriveOptions {
  readonly count: number;
  readonly channel: string;
  /** User of trigger `i` (default one user per 10 triggers). */
  readonly userOf?: (i: number) => string;
  readonly metadata?: Record<string, string>;
  /** Pause between starting two triggers, to spread them over a fault window (default 0). */
  readonly intervalMs?: number;
  /** Triggers in flight at once (default 8). */
  readonly concurrency?: number;
  /**
   * Keeps the load going past `count` until this returns true, so a fault injected at its own pace
   * (a slow admin CLI on a busy machine) still lands under load; `count` is then a minimum.
   */
  readonly until?: () => boolean;
}

/** A batch of triggers with unique dedupe keys (`fk<run>-<i>`, also carried in the message text). */
export interface DriveResult {
  readonly run: string;
  readonly answers: TriggerAnswer[];
}

/** Sends `count` triggers with unique dedupe keys; every answer (OK or error) is kept. */
export async function driveTriggers(client: NotificationClient, options: DriveOptions): Promise<DriveResult> {
  const run = `fk${uniqueSuffix()}`;
  const userOf = options.userOf ?? ((i: number) => `${run}-u${Math.floor(i / 10)}`);
  const answers: TriggerAnswer[] = [];
  const more = (i: number) => i < options.count || (options.until !== undefined && !options.until());
  let next = 0;
  const lane = async () => {
    for (let i = next++; more(i); i = next++) {
      if (options.intervalMs) await sleep(options.intervalMs * (i > 0 ? 1 : 0));
      answers[i] = await triggerOnce(client, `${run}-${i}`, userOf(i), options);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, lane));
  return { run, answers };
}

/** One Trigger call for dedupe key `key`; its answer, OK or error. */
async function triggerOnce(
  client: NotificationClient,
  key: string,
  userId: string,
  options: Pick<DriveOptions, 'channel' | 'metadata'>,
): Promise<TriggerAnswer> {
  try {
    const response = await client.trigger(
      {
        userId,
        triggerId: key,
        message: { text: `fault ${key} end` },
        channels: [options.channel],
        metadata: options.metadata ?? {},
      },
      { timeoutMs: 15_000 },
    );
    const notification = response.notifications[0];
    return { key, userId, id: notification?.id, deduplicated: notification?.deduplicated ?? false };
  } catch (error) {
    return { key, userId, error: Code[ConnectError.from(error).code] };
  }
}

/**
 * What a well-behaved caller does with an UNAVAILABLE answer: repeat the same trigger (same key).
 * An UNAVAILABLE answer can hide a commit whose acknowledgement was lost with the connection; the
 * repeat then finds that record (`deduplicated`) instead of storing a second one.
 */
export async function retryRejected(
  client: NotificationClient,
  drive: DriveResult,
  options: Pick<DriveOptions, 'channel' | 'metadata'>,
): Promise<DriveResult> {
  const answers: TriggerAnswer[] = [];
  for (const answer of drive.answers) {
    answers.push(
      answer.error === undefined ? answer : await triggerOnce(client, answer.key, answer.userId, options),
    );
  }
  return { run: drive.run, answers };
}

/** One row of the accounting: the record of a dedupe key as the database has it. */
export interface RecordRow {
  readonly id: string;
  readonly dedupeKey: string;
  readonly status: string;
  readonly attemptCount: number;
  readonly lastErrorCode: string | null;
}

/** One attempt row. */
export interface AttemptRow {
  readonly notificationId: string;
  readonly outcome: string;
  readonly errorCode: string | null;
  readonly possibleDuplicate: boolean;
}

const TERMINAL = new Set(['sent', 'skipped', 'dead', 'cancelled']);

/** Records and attempts of one run, read straight from the database (not through the gateway). */
export async function readRun(
  databaseUrl: string,
  run: string,
): Promise<{ records: RecordRow[]; attempts: AttemptRow[] }> {
  const connection = await createConnection(databaseUrl);
  try {
    const [records] = await connection.query(
      `SELECT id, dedupe_key AS dedupeKey, status, attempt_count AS attemptCount,
              last_error_code AS lastErrorCode
         FROM notification_records WHERE dedupe_key LIKE ?`,
      [`${run}-%`],
    );
    const [attempts] = await connection.query(
      `SELECT a.notification_id AS notificationId, a.outcome, a.error_code AS errorCode,
              a.possible_duplicate AS possibleDuplicate
         FROM notification_attempts a JOIN notification_records r ON r.id = a.notification_id
        WHERE r.dedupe_key LIKE ? ORDER BY a.id`,
      [`${run}-%`],
    );
    return {
      records: records as RecordRow[],
      attempts: (
        attempts as Array<Omit<AttemptRow, 'possibleDuplicate'> & { possibleDuplicate: number }>
      ).map((row) => ({
        ...row,
        possibleDuplicate: Boolean(row.possibleDuplicate),
      })),
    };
  } finally {
    await connection.end();
  }
}

/** Dedupe keys of a run found in a provider's receive log (one entry per receipt). */
export function keysIn(run: string, log: readonly unknown[]): string[] {
  const pattern = new RegExp(`${run}-\\d+`, 'g');
  return log.flatMap((entry) => [...new Set(JSON.stringify(entry).match(pattern) ?? [])]);
}

/** The four counts per scenario, plus what they were computed from. */
export interface Accounting {
  readonly scenario: string;
  readonly accepted: number;
  readonly rejected: number;
  /** Accepted but no record, or SENT but never received. */
  readonly lost: number;
  /** Received more than once. */
  readonly duplicated: number;
  /** Received but never accepted. */
  readonly unexpected: number;
  /** Accepted, still not terminal at the deadline. */
  readonly stuck: number;
  readonly byStatus: Record<string, number>;
  readonly records: RecordRow[];
  readonly attempts: AttemptRow[];
  readonly receivedByKey: Map<string, number>;
}

/** Waits until every accepted record is terminal (or `deadlineMs` passes), then accounts per key. */
export async function settleAndAccount(options: {
  readonly scenario: string;
  readonly databaseUrl: string;
  readonly drive: DriveResult;
  /** The provider's receive log, read after the drain. */
  readonly received: () => readonly unknown[];
  readonly deadlineMs: number;
}): Promise<Accounting> {
  const { drive, databaseUrl } = options;
  const accepted = drive.answers.filter((answer) => answer.id !== undefined);
  const deadline = Date.now() + options.deadlineMs;
  let read = await readRun(databaseUrl, drive.run);
  while (Date.now() < deadline && read.records.some((row) => !TERMINAL.has(row.status))) {
    await sleep(500);
    read = await readRun(databaseUrl, drive.run);
  }
  // A late duplicate would arrive after the last terminal move: give stragglers a moment.
  await sleep(1000);
  const byKey = new Map(read.records.map((row) => [row.dedupeKey, row]));
  const receivedByKey = new Map<string, number>();
  for (const key of keysIn(drive.run, options.received()))
    receivedByKey.set(key, (receivedByKey.get(key) ?? 0) + 1);
  const acceptedKeys = new Set(accepted.map((answer) => answer.key));
  let lost = 0;
  let stuck = 0;
  for (const answer of accepted) {
    const row = byKey.get(answer.key);
    if (!row || row.id !== answer.id) lost += 1;
    else if (!TERMINAL.has(row.status)) stuck += 1;
    else if (row.status === 'sent' && !receivedByKey.has(answer.key)) lost += 1;
  }
  const byStatus: Record<string, number> = {};
  for (const row of read.records) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  const result: Accounting = {
    scenario: options.scenario,
    accepted: accepted.length,
    rejected: drive.answers.length - accepted.length,
    lost,
    duplicated: [...receivedByKey.values()].filter((count) => count > 1).length,
    unexpected: [...receivedByKey.keys()].filter((key) => !acceptedKeys.has(key)).length,
    stuck,
    byStatus,
    records: read.records,
    attempts: read.attempts,
    receivedByKey,
  };
  printAccounting(result);
  return result;
}

/** Prints the four counts (and the status mix) as one console table row. */
export function printAccounting(account: Accounting): void {
  const { scenario, accepted, rejected, lost, duplicated, unexpected, stuck, byStatus } = account;
  console.table([
    {
      scenario,
      accepted,
      rejected,
      lost,
      duplicated,
      unexpected,
      stuck,
      statuses: JSON.stringify(byStatus),
    },
  ]);
}

/** The usual verdict: nothing lost, stuck or unexpected; at most `maxDuplicated` duplicates. */
export function expectAccounted(account: Accounting, maxDuplicated = 0): void {
  expect({ lost: account.lost, stuck: account.stuck, unexpected: account.unexpected }).toEqual({
    lost: 0,
    stuck: 0,
    unexpected: 0,
  });
  expect(account.duplicated).toBeLessThanOrEqual(maxDuplicated);
}

/** Every duplicated key came at most twice and its record has an attempt flagged possible_duplicate. */
export function expectDuplicatesFlagged(account: Accounting, drive: DriveResult): void {
  const flagged = new Set(account.attempts.filter((a) => a.possibleDuplicate).map((a) => a.notificationId));
  for (const answer of drive.answers) {
    const received = account.receivedByKey.get(answer.key) ?? 0;
    expect(received).toBeLessThanOrEqual(2);
    if (received > 1) expect(flagged.has(answer.id ?? '')).toBe(true);
  }
}
