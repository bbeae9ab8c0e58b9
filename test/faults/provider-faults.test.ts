import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeishuEmulator, type Fault, type FeishuEmulator } from '../helpers/feishu-emulator/index.js';
import {
  driveTriggers,
  expectAccounted,
  keysIn,
  settleAndAccount,
  type Accounting,
  type DriveResult,
} from './helpers/accounting.js';
import { APP_ID, APP_SECRET, feishuChannels, provisionUsers } from './helpers/channels.js';
import { startFaultStack, type FaultStack } from './helpers/fault-stack.js';

const PER_CASE = 5;
let emulator: FeishuEmulator;
let stack: FaultStack;
let cases = 0;

beforeAll(async () => {
  emulator = await startFeishuEmulator();
  emulator.addApp(APP_ID, APP_SECRET);
  stack = await startFaultStack({
    // Provider timeout 1.5 s (the worker's own cap is higher), so "slow" means slower than that.
    channels: feishuChannels(emulator, 1500),
    config: { retry: { maxAttempts: 8 }, scanner: { unknownOutcomePolicy: 'retry' } },
  });
});

afterAll(async () => {
  await stack?.stop();
  await emulator?.close();
});

/** Drives PER_CASE triggers (one fresh user each) with `faults` queued, and accounts for them. */
async function underFaults(
  scenario: string,
  channel: 'feishu' | 'feishu-app',
  faults: Fault[],
): Promise<{ account: Accounting; drive: DriveResult; requestsByKey: Map<string, Date[]> }> {
  cases += 1;
  const users = Array.from({ length: PER_CASE }, (_, i) => `pf${cases}-u${i}`);
  await provisionUsers(stack, emulator, channel, users);
  emulator.injectFaults(faults);
  const drive = await driveTriggers(stack.client, { count: PER_CASE, channel, userOf: (i) => users[i]! });
  const account = await settleAndAccount({
    scenario,
    databaseUrl: stack.database.url,
    drive,
    received: () => emulator.received,
    deadlineMs: 45_000,
  });
  const route = channel === 'feishu' ? 'webhook' : 'messages';
  const requestsByKey = new Map<string, Date[]>();
  for (const request of emulator.requestsTo(route)) {
    for (const key of keysIn(drive.run, [request.bodyText]))
      requestsByKey.set(key, [...(requestsByKey.get(key) ?? []), request.at]);
  }
  return { account, drive, requestsByKey };
}

/** Every key was requested exactly `calls` times (a bounded retry, no storm). */
function expectCalls(requestsByKey: Map<string, Date[]>, calls: number): void {
  expect(requestsByKey.size).toBe(PER_CASE);
  for (const times of requestsByKey.values()) expect(times).toHaveLength(calls);
}

describe('Feishu provider faults (emulator)', () => {
  it('429 / 99991400 with x-ogw-ratelimit-reset: no attempt before the reset, no attempt spent', async () => {
    const { account, requestsByKey } = await underFaults('5 app bot 429 reset 3 s', 'feishu-app', [
      { type: 'rateLimit', resetSeconds: 3, route: 'messages', times: PER_CASE },
    ]);
    expectAccounted(account);
    expect(account.byStatus).toEqual({ sent: PER_CASE });
    expectCalls(requestsByKey, 2);
    for (const [first, second] of requestsByKey.values())
      expect(second!.getTime() - first!.getTime()).toBeGreaterThanOrEqual(2950);
    // A rate-limited answer does not spend an attempt: only the success counts.
    for (const record of account.records) expect(record.attemptCount).toBe(1);
  });

  it('webhook 11232 (frequency limited): retried once it may, delivered once', async () => {
    const { account, requestsByKey } = await underFaults('5 webhook 11232', 'feishu', [
      { type: 'code', code: 11232, route: 'webhook', times: PER_CASE },
    ]);
    expectAccounted(account);
    expect(account.byStatus).toEqual({ sent: PER_CASE });
    expectCalls(requestsByKey, 2);
    for (const record of account.records) expect(record.attemptCount).toBe(1);
  });

  it('a burst of HTTP 5xx: bounded retries, then sent once', async () => {
    const { account, requestsByKey } = await underFaults('5 app bot 5xx burst', 'feishu-app', [
      { type: 'http', status: 503, body: 'upstream unavailable', route: 'messages', times: 2 * PER_CASE },
    ]);
    expectAccounted(account);
    expect(account.byStatus).toEqual({ sent: PER_CASE });
    const calls = [...requestsByKey.values()].reduce((sum, times) => sum + times.length, 0);
    expect(calls).toBe(3 * PER_CASE);
  });

  it('slow answers past the timeout: the app bot retries with the same uuid, one message each', async () => {
    const { account, requestsByKey } = await underFaults('5 app bot slow > timeout', 'feishu-app', [
      { type: 'delay', ms: 2500, route: 'messages', times: PER_CASE },
    ]);
    expectAccounted(account);
    expect(account.byStatus).toEqual({ sent: PER_CASE });
    expectCalls(requestsByKey, 2);
  });

  it('slow webhook answers past the timeout: at most one duplicate each, flagged possible_duplicate', async () => {
    const { account, drive } = await underFaults('5 webhook slow > timeout', 'feishu', [
      { type: 'delay', ms: 2500, route: 'webhook', times: PER_CASE },
    ]);
    expectAccounted(account, PER_CASE);
    expect(account.byStatus).toEqual({ sent: PER_CASE });
    const flagged = new Set(account.attempts.filter((a) => a.possibleDuplicate).map((a) => a.notificationId));
    for (const answer of drive.answers) {
      const received = account.receivedByKey.get(answer.key) ?? 0;
      expect(received).toBeLessThanOrEqual(2);
      if (received > 1) expect(flagged.has(answer.id!)).toBe(true);
    }
  });

  it('connection resets: retried, one message each', async () => {
    const { account, requestsByKey } = await underFaults('5 app bot connection reset', 'feishu-app', [
      { type: 'reset', route: 'messages', times: PER_CASE },
    ]);
    expectAccounted(account);
    expect(account.byStatus).toEqual({ sent: PER_CASE });
    expectCalls(requestsByKey, 2);
  });
});
