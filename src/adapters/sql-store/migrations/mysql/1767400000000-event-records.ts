import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
const UUID = 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin';

/*
 * Events (EventService) and their decision traces, and the link from a notification to the event it
 * was fanned out from. MySQL/MariaDB DDL commits implicitly, so every step checks whether it already
 * happened: a rerun after a failure half way finishes the job. Frozen history: never edit after
 * release, add a new migration instead.
 */
const CREATE = [
  `CREATE TABLE IF NOT EXISTS event_records (
    event_id VARCHAR(128) NOT NULL,
    type VARCHAR(64) NOT NULL,
    severity VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL,
    fingerprint VARCHAR(191) NOT NULL,
    user_ids MEDIUMTEXT NOT NULL,
    attributes MEDIUMTEXT NOT NULL,
    target_type VARCHAR(64) NOT NULL,
    target_id VARCHAR(191) NOT NULL,
    target_url VARCHAR(2048) NOT NULL,
    preview_id VARCHAR(191) NOT NULL,
    trace_id VARCHAR(128) NOT NULL,
    summary MEDIUMTEXT NOT NULL,
    occurred_at DATETIME(3) NOT NULL,
    payload_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (event_id),
    KEY idx_event_records_occurred (occurred_at, event_id),
    KEY idx_event_records_type_occurred (type, occurred_at),
    KEY idx_event_records_fingerprint (fingerprint, occurred_at)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS event_decisions (
    id BIGINT NOT NULL AUTO_INCREMENT,
    event_id VARCHAR(128) NOT NULL,
    seq INT NOT NULL,
    rule VARCHAR(64) NOT NULL,
    user_id VARCHAR(128) NOT NULL,
    channel VARCHAR(64) NOT NULL,
    outcome VARCHAR(16) NOT NULL,
    reason VARCHAR(64) NOT NULL,
    notification_id ${UUID} NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_event_decisions_event_seq (event_id, seq),
    KEY idx_event_decisions_user (user_id, event_id)
  ) ${TABLE_OPTIONS}`,
];

async function hasColumn(queryRunner: QueryRunner, table: string, column: string): Promise<boolean> {
  const rows = (await queryRunner.query(
    `SELECT 1 FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?`,
    [table, column],
  )) as unknown[];
  return rows.length > 0;
}

async function hasIndex(queryRunner: QueryRunner, table: string, index: string): Promise<boolean> {
  const rows = (await queryRunner.query(
    `SELECT 1 FROM information_schema.statistics
      WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?`,
    [table, index],
  )) as unknown[];
  return rows.length > 0;
}

/** event_records, event_decisions, and notification_records.event_id (indexed) and .severity. */
export class EventRecords1767400000000 implements MigrationInterface {
  readonly name = 'EventRecords1767400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of CREATE) await queryRunner.query(statement);
    // Nullable columns at the end: an instant ALTER on InnoDB, no table rebuild.
    if (!(await hasColumn(queryRunner, 'notification_records', 'event_id')))
      await queryRunner.query('ALTER TABLE notification_records ADD COLUMN event_id VARCHAR(128) NULL');
    if (!(await hasColumn(queryRunner, 'notification_records', 'severity')))
      await queryRunner.query('ALTER TABLE notification_records ADD COLUMN severity VARCHAR(16) NULL');
    if (!(await hasIndex(queryRunner, 'notification_records', 'idx_notification_records_event')))
      await queryRunner.query(
        'CREATE INDEX idx_notification_records_event ON notification_records (event_id)',
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (await hasIndex(queryRunner, 'notification_records', 'idx_notification_records_event'))
      await queryRunner.query('DROP INDEX idx_notification_records_event ON notification_records');
    for (const column of ['event_id', 'severity'])
      if (await hasColumn(queryRunner, 'notification_records', column))
        await queryRunner.query(`ALTER TABLE notification_records DROP COLUMN ${column}`);
    await queryRunner.query('DROP TABLE IF EXISTS event_decisions');
    await queryRunner.query('DROP TABLE IF EXISTS event_records');
  }
}
