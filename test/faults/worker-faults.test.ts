import { afterEach, describe, expect, it } from 'vitest';
import { startCountingSink, type CountingSink } from '../helpers/counting-sink.js';
import { startFeishuEmulator, type FeishuEmulator } from '../helpers/feishu-emulator/index.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import {
  driveTriggers,
  expectAccounted,
  settleAndAccount,
  type Accounting,
  type AttemptRow,
  type DriveResult,
} from './helpers/accounting.js';
import { APP_ID, APP_SECRET, feishuChannels, provisionUsers } from './helpers/channels.js';
import { signal, startFaultStack, type FaultStack } from './helpers/fault-stack.js';

let stack: FaultStack | undefined;
let emulator: FeishuEmulator | undefined;
let sink: CountingSink | undefined;

afterEach(async () => {
  await stack?.stop();
  await emulator?.close();
  await sink?.close();
  stack = emulator = sink = undefined;
});

/** Attempts of one record, oldest first. */
function attemptsOf(account: Accounting, id: string): AttemptRow[] {
  return account.attempts.filter((attempt) => attempt.notificationId === id);
}

describe('worker process faults', () => {
  it('SIGSTOP past the lease, then SIGCONT: the late completion changes nothing', async () => {
    emulator = await startFeishuEmulator();
    emulator.addApp(APP_ID, APP_SECRET);
    stack = await startFaultStack({
      channels: feishuChannels(emulator, 2500),
      config: { worker: { leaseMs: 4000, sendTimeoutMs: 3000 } },
    });
    const users = Array.from({ length: 10 }, (_, i) => `stop-u${i}`);
    await provisionUsers(stack, emulator, 'feishu-app', users);
    // Each send is accepted at once but its answer is held: the worker is mid-send when paused.
    emulator.injectFaults([{ type: 'holdReply', ms: 2500, route: 'messages', times: users.length }]);
    const paused = stack.workers[0]!;
    const drive = await driveTriggers(stack.client, {
      count: users.length,
      channel: 'feishu-app',
      userOf: (i) => users[i]!,
    });
    await waitFor(() => emulator!.requestsTo('messages').length >= users.length, 'all sends in flight');
    await signal(paused, 'SIGSTOP');
    try {
      // Another worker's scanner recovers the expired leases and resends with the same uuid.
      await stack.startWorker();
      const account = await settleAndAccount({
        scenario: '7 SIGSTOP/SIGCONT worker',
        databaseUrl: stack.database.url,
        drive,
        received: () => emulator!.received,
        deadlineMs: 30_000,
      });
      expectAccounted(account);
      expect(account.byStatus).toEqual({ sent: users.length });
    } finally {
      await signal(paused, 'SIGCONT');
    }
    // The paused worker wakes up with its answers (or timeouts) and tries to finish: CAS refuses.
    await waitFor(
      () => (paused.output().match(/\(lease lost\); result discarded/g) ?? []).length >= users.length,
      'the paused worker to discard every late result',
      15_000,
    ).catch((error: unknown) => {
      console.log(paused.output().slice(-6000));
      throw error;
    });
    const after = await settleAndAccount({
      scenario: '7 after SIGCONT',
      databaseUrl: stack.database.url,
      drive,
      received: () => emulator!.received,
      deadlineMs: 5000,
    });
    expectAccounted(after);
    expect(after.byStatus).toEqual({ sent: users.length });
    for (const answer of drive.answers) {
      const outcomes = attemptsOf(after, answer.id!).map((attempt) => attempt.outcome);
      // Recovery's unknown attempt, then the second worker's success: nothing from the late finish.
      expect(outcomes).toEqual(['unknown', 'success']);
    }
  });

  it('SIGTERM under load: the worker drains and exits 0, nothing lost or doubled', async () => {
    sink = await startCountingSink();
    stack = await startFaultStack({
      channels: [{ id: 'mock', plugin: 'mock', config: { sinkUrl: sink.url, idempotent: false } }],
      config: { server: { shutdownGraceMs: 10_000 } },
    });
    const first = stack.workers[0]!;
    const driving = driveTriggers(stack.client, {
      count: 200,
      channel: 'mock',
      metadata: { mock_latency_ms: '300' },
      intervalMs: 10,
    });
    await waitFor(() => sink!.received.length >= 40, 'deliveries under way', 30_000);
    const code = await signal(first, 'SIGTERM');
    expect(code).toBe(0);
    expect(first.output()).not.toMatch(/shutdown grace over/);
    await stack.startWorker();
    const drive: DriveResult = await driving;
    const account = await settleAndAccount({
      scenario: '8 SIGTERM under load',
      databaseUrl: stack.database.url,
      drive,
      received: () => sink!.received,
      deadlineMs: 60_000,
    });
    expect(account.accepted).toBe(200);
    expectAccounted(account);
    expect(account.byStatus).toEqual({ sent: 200 });
  });

  it('SIGKILL while the provider answer is in flight: app bot once, webhook at most one flagged duplicate', async () => {
    emulator = await startFeishuEmulator();
    emulator.addApp(APP_ID, APP_SECRET);
    stack = await startFaultStack({
      channels: feishuChannels(emulator, 2500),
      config: { worker: { leaseMs: 4000, sendTimeoutMs: 3000 }, scanner: { unknownOutcomePolicy: 'retry' } },
    });
    const count = 10;
    const appUsers = Array.from({ length: count }, (_, i) => `kill-app-u${i}`);
    const hookUsers = Array.from({ length: count }, (_, i) => `kill-hook-u${i}`);
    await provisionUsers(stack, emulator, 'feishu-app', appUsers);
    await provisionUsers(stack, emulator, 'feishu', hookUsers);
    // The provider processes each send (the user sees it) and answers 2.5 s later.
    emulator.injectFaults([
      { type: 'holdReply', ms: 2500, route: 'messages', times: count },
      { type: 'holdReply', ms: 2500, route: 'webhook', times: count },
    ]);
    const [app, hook] = await Promise.all([
      driveTriggers(stack.client, { count, channel: 'feishu-app', userOf: (i) => appUsers[i]! }),
      driveTriggers(stack.client, { count, channel: 'feishu', userOf: (i) => hookUsers[i]! }),
    ]);
    await waitFor(() => emulator!.received.length >= 2 * count, 'every send received', 15_000);
    expect(await signal(stack.workers[0]!, 'SIGKILL')).toBe('SIGKILL');
    await sleep(200);
    await stack.startWorker();

    const appAccount = await settleAndAccount({
      scenario: '1 SIGKILL in flight (app bot)',
      databaseUrl: stack.database.url,
      drive: app,
      received: () => emulator!.received,
      deadlineMs: 30_000,
    });
    expectAccounted(appAccount);
    expect(appAccount.byStatus).toEqual({ sent: count });
    const hookAccount = await settleAndAccount({
      scenario: '1 SIGKILL in flight (webhook)',
      databaseUrl: stack.database.url,
      drive: hook,
      received: () => emulator!.received,
      deadlineMs: 30_000,
    });
    // Every killed in-flight send may come twice, never three times, and each is flagged.
    expectAccounted(hookAccount, count);
    expect(Math.max(...hookAccount.receivedByKey.values())).toBeLessThanOrEqual(2);
    const flagged = new Set(
      hookAccount.attempts.filter((a) => a.possibleDuplicate).map((attempt) => attempt.notificationId),
    );
    for (const answer of hook.answers) {
      if ((hookAccount.receivedByKey.get(answer.key) ?? 0) > 1) expect(flagged.has(answer.id!)).toBe(true);
    }
    expect(hookAccount.byStatus).toEqual({ sent: count });
  });
});
