import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The SQLite twin of migrations/mysql/1767600000000-status-callbacks.ts (times as UTC text). */
const UP = [
  `ALTER TABLE notification_records ADD COLUMN callback TEXT NOT NULL DEFAULT ''`,
  `CREATE TABLE callback_deliveries (
    id TEXT NOT NULL PRIMARY KEY,
    callback_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempt_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NULL,
    last_status_code INTEGER NULL,
    delivered_at TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT uq_callback_deliveries_event UNIQUE (callback_id, notification_id, event_type)
  )`,
  'CREATE INDEX idx_callback_deliveries_status_due ON callback_deliveries (status, next_attempt_at)',
];

/** Adds notification_records.callback and the callback_deliveries outbox. */
export class StatusCallbacks1767600000000 implements MigrationInterface {
  readonly name = 'StatusCallbacks1767600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS callback_deliveries');
    await queryRunner.query('ALTER TABLE notification_records DROP COLUMN callback');
  }
}
