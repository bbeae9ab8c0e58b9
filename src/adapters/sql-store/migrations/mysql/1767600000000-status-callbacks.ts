import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
const UUID = 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin';

/*
 * Status callbacks (issue 17): the callback a trigger names, stored on each of its records, and the
 * outbox of signed callback deliveries. DDL commits implicitly, so each step checks whether it is
 * done (MySQL 8 has no ADD COLUMN IF NOT EXISTS) and a rerun finishes a half-applied run. Frozen
 * history: add a new migration instead of editing.
 */
const ADD_CALLBACK = `ALTER TABLE notification_records ADD COLUMN callback VARCHAR(64) NOT NULL DEFAULT ''`;
const HAS_CALLBACK = `SELECT COUNT(*) AS n FROM information_schema.columns
  WHERE table_schema = DATABASE() AND table_name = 'notification_records' AND column_name = 'callback'`;
const UP = [
  `CREATE TABLE IF NOT EXISTS callback_deliveries (
    id ${UUID} NOT NULL,
    callback_id VARCHAR(64) NOT NULL,
    notification_id ${UUID} NOT NULL,
    event_type VARCHAR(32) NOT NULL,
    payload MEDIUMTEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    attempt_count INT NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(3) NOT NULL,
    last_error VARCHAR(255) NULL,
    last_status_code INT NULL,
    delivered_at DATETIME(3) NULL,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    version INT NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY uq_callback_deliveries_event (callback_id, notification_id, event_type),
    KEY idx_callback_deliveries_status_due (status, next_attempt_at)
  ) ${TABLE_OPTIONS}`,
];

/** Adds notification_records.callback and the callback_deliveries outbox. */
export class StatusCallbacks1767600000000 implements MigrationInterface {
  readonly name = 'StatusCallbacks1767600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const [row] = (await queryRunner.query(HAS_CALLBACK)) as Array<{ n: number | string }>;
    if (Number(row?.n ?? 0) === 0) await queryRunner.query(ADD_CALLBACK);
    for (const statement of UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS callback_deliveries');
    await queryRunner.query('ALTER TABLE notification_records DROP COLUMN callback');
  }
}
