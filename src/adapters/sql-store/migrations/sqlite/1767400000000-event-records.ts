import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The SQLite twin of migrations/mysql/1767400000000-event-records.ts (types by affinity, times as
 * UTC text, as in the initial schema). DDL is transactional in SQLite. Frozen history.
 */
const UP = [
  `CREATE TABLE event_records (
    event_id TEXT NOT NULL PRIMARY KEY,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    user_ids TEXT NOT NULL,
    attributes TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_url TEXT NOT NULL,
    preview_id TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    summary TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`,
  'CREATE INDEX idx_event_records_occurred ON event_records (occurred_at, event_id)',
  'CREATE INDEX idx_event_records_type_occurred ON event_records (type, occurred_at)',
  'CREATE INDEX idx_event_records_fingerprint ON event_records (fingerprint, occurred_at)',
  `CREATE TABLE event_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    rule TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    notification_id TEXT NULL,
    CONSTRAINT uq_event_decisions_event_seq UNIQUE (event_id, seq)
  )`,
  'CREATE INDEX idx_event_decisions_user ON event_decisions (user_id, event_id)',
  'ALTER TABLE notification_records ADD COLUMN event_id TEXT NULL',
  'ALTER TABLE notification_records ADD COLUMN severity TEXT NULL',
  'CREATE INDEX idx_notification_records_event ON notification_records (event_id)',
];

/** event_records, event_decisions, and notification_records.event_id (indexed) and .severity. */
export class EventRecords1767400000000 implements MigrationInterface {
  readonly name = 'EventRecords1767400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS idx_notification_records_event');
    await queryRunner.query('ALTER TABLE notification_records DROP COLUMN severity');
    await queryRunner.query('ALTER TABLE notification_records DROP COLUMN event_id');
    await queryRunner.query('DROP TABLE IF EXISTS event_decisions');
    await queryRunner.query('DROP TABLE IF EXISTS event_records');
  }
}
