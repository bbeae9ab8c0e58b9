import type { MigrationInterface, QueryRunner } from 'typeorm';

// utf8mb4_bin: user ids and dedupe keys compare byte for byte; a server default such as
// utf8mb4_general_ci would make "Key" and "key" collide on the dedupe unique index.
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
// UUID text is ASCII: 36 bytes per key instead of 144 in utf8mb4 indexes.
const UUID = 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin';
const CREATED_AT = 'created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)';
const UPDATED_AT =
  'updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)';

/*
 * MySQL/MariaDB DDL commits implicitly, so a failure half way cannot roll back: IF NOT EXISTS lets a
 * rerun finish the job. Frozen history: never edit after release, add a new migration instead.
 */
const UP = [
  `CREATE TABLE IF NOT EXISTS notification_records (
    id ${UUID} NOT NULL,
    user_id VARCHAR(128) NOT NULL,
    channel VARCHAR(64) NOT NULL,
    plugin VARCHAR(64) NOT NULL,
    trigger_id VARCHAR(191) NOT NULL,
    trigger_type VARCHAR(64) NOT NULL,
    preview_id VARCHAR(191) NOT NULL,
    target_type VARCHAR(64) NOT NULL,
    target_id VARCHAR(191) NOT NULL,
    target_url VARCHAR(2048) NOT NULL,
    message_text MEDIUMTEXT NOT NULL,
    fallback_used TINYINT(1) NOT NULL DEFAULT 0,
    trace_id VARCHAR(128) NOT NULL,
    dedupe_key VARCHAR(191) NOT NULL,
    critical TINYINT(1) NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    attempt_count INT NOT NULL DEFAULT 0,
    call_count INT NOT NULL DEFAULT 0,
    max_attempts INT NOT NULL,
    next_attempt_at DATETIME(3) NOT NULL,
    lease_owner VARCHAR(128) NULL,
    lease_expires_at DATETIME(3) NULL,
    last_error_code VARCHAR(64) NULL,
    last_error_message TEXT NULL,
    provider_message_id VARCHAR(191) NULL,
    scheduled_at DATETIME(3) NULL,
    sent_at DATETIME(3) NULL,
    ${CREATED_AT},
    ${UPDATED_AT},
    version INT NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY uq_notification_records_dedupe (user_id, channel, dedupe_key),
    KEY idx_notification_records_status_due (status, next_attempt_at),
    KEY idx_notification_records_user_created (user_id, created_at),
    KEY idx_notification_records_created (created_at)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS notification_attempts (
    id BIGINT NOT NULL AUTO_INCREMENT,
    notification_id ${UUID} NOT NULL,
    attempt_no INT NOT NULL,
    outcome VARCHAR(32) NOT NULL,
    error_code VARCHAR(64) NULL,
    error_message TEXT NULL,
    request_payload MEDIUMTEXT NULL,
    response_payload MEDIUMTEXT NULL,
    duration_ms INT NOT NULL DEFAULT 0,
    started_at DATETIME(3) NOT NULL,
    possible_duplicate TINYINT(1) NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    KEY idx_notification_attempts_notification (notification_id, attempt_no)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS user_channel_configs (
    id BIGINT NOT NULL AUTO_INCREMENT,
    user_id VARCHAR(128) NOT NULL,
    channel VARCHAR(64) NOT NULL,
    enabled TINYINT(1) NOT NULL DEFAULT 1,
    settings_ciphertext TEXT NULL,
    key_id VARCHAR(64) NULL,
    quiet_hours_start VARCHAR(5) NULL,
    quiet_hours_end VARCHAR(5) NULL,
    timezone VARCHAR(64) NULL,
    state VARCHAR(16) NOT NULL DEFAULT 'valid',
    invalid_reason VARCHAR(255) NULL,
    ${CREATED_AT},
    ${UPDATED_AT},
    version INT NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY uq_user_channel_configs_user_channel (user_id, channel)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS scheduled_jobs (
    id BIGINT NOT NULL AUTO_INCREMENT,
    job_key VARCHAR(191) NOT NULL,
    user_id VARCHAR(128) NOT NULL,
    due_at DATETIME(3) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'waiting',
    trigger_payload MEDIUMTEXT NOT NULL,
    payload_hash VARCHAR(64) NOT NULL,
    fired_at DATETIME(3) NULL,
    notification_ids TEXT NULL,
    ${CREATED_AT},
    ${UPDATED_AT},
    PRIMARY KEY (id),
    UNIQUE KEY uq_scheduled_jobs_job_key (job_key),
    KEY idx_scheduled_jobs_status_due (status, due_at),
    KEY idx_scheduled_jobs_user_due (user_id, due_at)
  ) ${TABLE_OPTIONS}`,
];

const DOWN = ['scheduled_jobs', 'user_channel_configs', 'notification_attempts', 'notification_records'];

/** Creates the four tables of docs/architecture.md §7 on MySQL 8 / MariaDB 10.11. */
export class InitialSchema1767225600000 implements MigrationInterface {
  readonly name = 'InitialSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of DOWN) await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
