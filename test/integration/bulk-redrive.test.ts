import { createHash } from 'node:crypto';
import { connect } from 'amqplib';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { NotificationView } from '../../src/gen/notify/v1/notification_service_pb.js';
import { requireBuild, runGateway, writeConfigFile } from '../helpers/gateway-process.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { TEST_AMQP_URL } from '../helpers/test-env.js';
import { waitFor } from '../helpers/wait-for.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const USER = 'redrive-user';

let gateway: TestGateway;
let admin: NotificationClient;
let reader: NotificationClient;

async function countByStatus(status: NotificationStatus, userId = USER): Promise<number> {
  const page = await admin.listNotifications({ userId, statuses: [status], pageSize: 500 });
  return page.notifications.length;
}

/** The built CLI against the test gateway's database and broker prefix. */
async function cli(...args: string[]): Promise<{ code: number | string; output: string }> {
  const config = writeConfigFile({
    database: { url: gateway.config.database.url },
    broker: { url: TEST_AMQP_URL, namePrefix: gateway.config.broker.namePrefix },
    log: { level: 'warn' },
    channels: gateway.config.channels,
  });
  const run = runGateway(args[0] ?? '', { NOTIFY_CONFIG: config }, args.slice(1));
  const code = await run.exited;
  return { code, output: run.output() };
}

beforeAll(async () => {
  requireBuild();
  gateway = await startTestGateway({
    auth: {
      apiKeys: [
        { name: 'ops', sha256: sha256('admin-key'), scopes: ['admin'] },
        { name: 'reader', sha256: sha256('read-key'), scopes: ['read', 'trigger'] },
      ],
    },
    channels: [
      { id: 'mock', plugin: 'mock' },
      { id: 'mock-nonidem', plugin: 'mock', config: { idempotent: false } },
    ],
  });
  admin = notificationClient(gateway.baseUrl, 'grpc', 'admin-key');
  reader = notificationClient(gateway.baseUrl, 'connect-h1', 'read-key');
});

afterAll(async () => {
  await gateway?.stop();
});

describe('RedriveNotifications', () => {
  it('a dry run of 50 DEAD records reports 50 and changes nothing; the real run sends them all', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        admin.trigger({
          userId: USER,
          triggerId: `r-${i}`,
          message: { text: `redrive ${i}` },
          channels: ['mock'],
          // First call fails for good, the call after a redrive succeeds.
          metadata: { mock_outcomes: 'permanent_fail,success' },
        }),
      ),
    );
    await waitFor(
      async () => (await countByStatus(NotificationStatus.DEAD)) === 50,
      '50 DEAD records',
      20_000,
    );
    const callsBefore = gateway.mock().calls.length;

    const dry = await admin.redriveNotifications({
      statuses: [NotificationStatus.DEAD],
      userId: USER,
      errorCode: 'mock_permanent',
      dryRun: true,
    });
    expect(dry.matchedCount).toBe(50n);
    expect(dry.redrivenCount).toBe(0n);
    expect(dry.sampleIds).toHaveLength(20);
    expect(dry.flaggedCount).toBe(0n);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await countByStatus(NotificationStatus.DEAD)).toBe(50);
    expect(gateway.mock().calls.length).toBe(callsBefore);

    const real = await admin.redriveNotifications({ statuses: [NotificationStatus.DEAD], userId: USER });
    expect(real.matchedCount).toBe(50n);
    expect(real.redrivenCount).toBe(50n);
    await waitFor(
      async () => (await countByStatus(NotificationStatus.SENT)) === 50,
      '50 SENT records',
      20_000,
    );
    expect(await countByStatus(NotificationStatus.DEAD)).toBe(0);
    // Nothing left to redrive.
    const again = await admin.redriveNotifications({ userId: USER });
    expect(again.matchedCount).toBe(0n);
  });

  it('flags an outcome-unknown record past its provider idempotency window', async () => {
    const triggered = await admin.trigger({
      userId: 'flag-user',
      triggerId: 'f1',
      message: { text: 'unknown' },
      channels: ['mock-nonidem'],
      metadata: { mock_outcomes: 'permanent_fail,success' },
    });
    const id = triggered.notifications[0]?.id ?? '';
    expect((await waitForTerminal(admin, id)).status).toBe(NotificationStatus.DEAD);
    const connection = await createConnection(gateway.database.url);
    try {
      await connection.query(
        `UPDATE notification_records SET last_error_code = 'outcome_unknown' WHERE id = ?`,
        [id],
      );
    } finally {
      await connection.end();
    }
    const dry = await admin.redriveNotifications({ userId: 'flag-user', dryRun: true });
    expect(dry).toMatchObject({ matchedCount: 1n, flaggedCount: 1n, flaggedIds: [id] });
  });

  it('needs the admin scope, and names a bad field', async () => {
    await expect(reader.redriveNotifications({ dryRun: true })).rejects.toMatchObject({ code: 7 });
    await expect(admin.redriveNotifications({ statuses: [NotificationStatus.SENT] })).rejects.toMatchObject({
      code: 3,
      rawMessage: 'statuses[0]: only DEAD and FAILED can be redriven',
    });
    await expect(admin.redriveNotifications({ limit: 10_001 })).rejects.toMatchObject({ code: 3 });
  });
});

describe('GetNotification view FULL', () => {
  it('returns the stored, redacted attempt payloads only when asked', async () => {
    const triggered = await admin.trigger({
      userId: 'view-user',
      triggerId: 'v1',
      message: { text: 'payload please' },
      channels: ['mock'],
    });
    const id = triggered.notifications[0]?.id ?? '';
    await waitForTerminal(admin, id);
    const basic = (await reader.getNotification({ id })).notification;
    expect(basic?.attempts[0]?.requestPayload).toBeUndefined();
    const full = (await reader.getNotification({ id, view: NotificationView.FULL })).notification;
    expect(full?.attempts[0]?.requestPayload?.kind).toMatchObject({ case: 'structValue' });
    const json = full?.attempts[0]?.requestPayload?.kind.value as {
      fields: Record<string, { kind: { value: unknown } }>;
    };
    expect(json.fields.text?.kind.value).toBe('payload please');
    await expect(reader.getNotification({ id, view: 9 as NotificationView })).rejects.toMatchObject({
      code: 3,
    });
  });
});

describe('operator CLI (built bin, NOTIFY_CONFIG)', () => {
  it('redrive --dry-run prints the matched count; redrive prints the redriven count', async () => {
    const dry = await cli(
      'redrive',
      '--status',
      'dead',
      '--since',
      '1h',
      '--channel',
      'mock-nonidem',
      '--dry-run',
    );
    expect(dry.code).toBe(0);
    expect(dry.output).toContain('matched 1 (dry run: nothing changed)');
    expect(dry.output).toContain('flagged 1');
    const real = await cli(
      'redrive',
      '--status',
      'dead',
      '--channel',
      'mock-nonidem',
      '--error-code',
      'outcome_unknown',
    );
    expect(real.code).toBe(0);
    expect(real.output).toContain('matched 1, redriven 1');
    await waitFor(
      async () => (await countByStatus(NotificationStatus.SENT, 'flag-user')) === 1,
      'the CLI redrive to send',
    );
    const usage = await cli('redrive', '--status', 'sent');
    expect(usage.code).toBe(64);
    expect(usage.output).toContain('--status');
  });

  it('status prints counts by status and channel and the queue depths', async () => {
    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/sent\tmock\t5\d/);
    expect(status.output).toContain(`${gateway.config.broker.namePrefix}notify.deliver\t`);
    expect(status.output).toContain(`${gateway.config.broker.namePrefix}notify.dead\t`);
  });

  it('dead-letters shows notify.dead and leaves it; --requeue republishes it', async () => {
    const prefix = gateway.config.broker.namePrefix;
    const connection = await connect(TEST_AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      // A body no worker can read: the consumer dead-letters it to notify.dead.
      channel.publish(`${prefix}notify`, 'notification.mock.requested', Buffer.from('not json'), {
        persistent: true,
      });
      await channel.waitForConfirms();
      await waitFor(
        async () => (await channel.checkQueue(`${prefix}notify.dead`)).messageCount === 1,
        'a dead letter',
      );
      const shown = await cli('dead-letters');
      expect(shown.code).toBe(0);
      expect(shown.output).toContain('"routing_key":"notification.mock.requested"');
      expect(shown.output).toContain('"body":"not json"');
      expect(shown.output).toContain('dead letters: 1 shown (left in place)');
      await waitFor(
        async () => (await channel.checkQueue(`${prefix}notify.dead`)).messageCount === 1,
        'it stays',
      );
      const requeued = await cli('dead-letters', '--requeue');
      expect(requeued.output).toContain('requeued 1');
      // Republished under its routing key, consumed again, and (still unreadable) dead once more.
      await waitFor(
        async () => (await channel.checkQueue(`${prefix}notify.dead`)).messageCount === 1,
        'back in dead',
      );
      const again = await cli('dead-letters');
      expect(again.output).toMatch(/dead letters: 1 shown/);
      await channel.close();
    } finally {
      await connection.close();
    }
  });
});
