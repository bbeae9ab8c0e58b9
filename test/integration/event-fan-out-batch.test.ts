import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent, MessageBus } from '../../src/core/delivery/message-bus.js';
import { createChannelRegistry, type ChannelRegistry } from '../../src/core/channels/channel-registry.js';
import { parseGatewayConfig } from '../../src/core/config/load-config.js';
import { EventService } from '../../src/core/event/event-service.js';
import { createLogger } from '../../src/core/shared/logger.js';
import { migrateDatabase, openDatabase, type OpenDatabase } from '../../src/adapters/sql-store/open-store.js';
import { BUILTIN_PLUGINS } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const RECIPIENTS = 200;
const logger = createLogger('silent');

let database: TestDatabase;
let db: OpenDatabase;
let channels: ChannelRegistry;
/** SQL run on query runners (transactions) and directly on the DataSource, in order. */
const inTransaction: string[] = [];
const outside: string[] = [];
let runners = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateDatabase(database.url, logger);
  db = await openDatabase(database.url, 4, logger);
  channels = await createChannelRegistry([{ id: 'mock', plugin: 'mock' }], BUILTIN_PLUGINS, (channel) => ({
    channel,
    logger,
    now: () => new Date(),
  }));
  const dataSource = db.dataSource;
  const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = (...args) => {
    runners += 1;
    const runner = createQueryRunner(...args);
    const query = runner.query.bind(runner);
    runner.query = ((sql: string, ...rest: unknown[]) => {
      inTransaction.push(sql);
      return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
    }) as typeof runner.query;
    return runner;
  };
  const query = dataSource.query.bind(dataSource);
  dataSource.query = ((sql: string, ...rest: unknown[]) => {
    outside.push(sql);
    return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
  }) as typeof dataSource.query;
});

afterAll(async () => {
  await channels?.close();
  await db?.close();
  await database?.drop();
});

describe(`one event to ${RECIPIENTS} recipients`, () => {
  it('is one transaction of a fixed handful of statements and one batched publish', async () => {
    const members = Array.from({ length: RECIPIENTS }, (_, i) => `member-${i}`);
    const config = parseGatewayConfig({
      channels: [{ id: 'mock', plugin: 'mock' }],
      groups: { everyone: members },
      rules: [{ name: 'broadcast', recipients: { groups: ['everyone'] }, channels: ['mock'] }],
    });
    const batches: BusEvent[][] = [];
    let singlePublishes = 0;
    const bus = {
      publish: () => {
        singlePublishes += 1;
        return Promise.resolve();
      },
      publishMany: (items: ReadonlyArray<{ event: BusEvent }>) => {
        batches.push(items.map((item) => item.event));
        return Promise.resolve();
      },
    } as unknown as MessageBus;
    const service = new EventService({
      store: db.events,
      bus,
      channels,
      settings: { listForUsers: () => Promise.resolve(new Map()) },
      config,
      clock: { now: () => new Date() },
      logger,
    });

    const result = await service.publish({
      eventId: 'broadcast-1',
      type: 'maintenance.window',
      severity: undefined,
      status: undefined,
      fingerprint: '',
      userIds: [],
      attributes: {},
      target: undefined,
      previewId: '',
      traceId: '',
      occurredAt: undefined,
      summary: 'Maintenance at 22:00',
    });

    expect(result.notifications).toHaveLength(RECIPIENTS);
    expect(result.decisions.filter((d) => d.outcome === 'notified')).toHaveLength(RECIPIENTS);
    expect(runners).toBe(1);
    expect(outside).toEqual([]);
    // START TRANSACTION, the event, the dedupe-key read, ONE records INSERT, ONE decisions INSERT, COMMIT.
    expect(inTransaction).toHaveLength(6);
    expect(inTransaction.filter((sql) => sql.startsWith('INSERT INTO notification_records'))).toHaveLength(1);
    expect(inTransaction.filter((sql) => sql.startsWith('INSERT INTO event_decisions'))).toHaveLength(1);
    expect(singlePublishes).toBe(0);
    expect(batches).toHaveLength(1);
    expect(
      new Set(
        batches[0]?.map((event) => (event.kind === 'notification.requested' ? event.notificationId : '')),
      ),
    ).toEqual(new Set(result.notifications.map((n) => n.record.id)));
    const stored = await db.notifications.list({ eventId: 'broadcast-1', limit: 1000 });
    expect(stored.records).toHaveLength(RECIPIENTS);
    expect(
      stored.records.every((record) => record.status === 'pending' && record.eventId === 'broadcast-1'),
    ).toBe(true);
  });
});
