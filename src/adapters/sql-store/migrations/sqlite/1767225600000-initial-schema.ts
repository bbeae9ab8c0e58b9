import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The SQLite twin of migrations/mysql/1767225600000-initial-schema.ts: same tables, columns, unique
 * keys and indexes (index names are schema-global in SQLite, and already unique). Types follow
 * SQLite affinity: TEXT for strings and JSON, INTEGER for counters and 0/1 flags. Every time column
 * is TEXT "YYYY-MM-DD HH:MM:SS.mmm" in UTC (sql-dialect.ts toSqliteTime): fixed width, so comparisons
 * and ORDER BY are chronological. The default BINARY collation compares byte for byte, like
 * utf8mb4_bin, so "Key" and "key" stay distinct dedupe keys. SQLite has no ON UPDATE: stores write
 * updated_at themselves (from the injected clock, as every store here does). DDL is transactional
 * in SQLite, so a failed run rolls back and no IF NOT EXISTS is needed. Frozen history: never edit
 * after release, add a new migration instead.
 */
const NOW = "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
const CREATED_AT = `created_at TEXT NOT NULL DEFAULT ${NOW}`;
const UPDATED_AT = `updated_at TEXT NOT NULL DEFAULT ${NOW}`;

const UP = [
  `CREATE TABLE notification_records (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    plugin TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    trigger_type TEXT NOT NULL,
    preview_id TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_url TEXT NOT NULL,
    message_text TEXT NOT NULL,
    fallback_used INTEGER NOT NULL DEFAULT 0,
    trace_id TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    critical INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL,
    status TEXT NOT NULL,
    attempt_count INTEGER NOT NULL DEFAULT 0,
    call_count INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT NULL,
    lease_expires_at TEXT NULL,
    last_error_code TEXT NULL,
    last_error_message TEXT NULL,
    provider_message_id TEXT NULL,
    scheduled_at TEXT NULL,
    sent_at TEXT NULL,
    ${CREATED_AT},
    ${UPDATED_AT},
    version INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT uq_notification_records_dedupe UNIQUE (user_id, channel, dedupe_key)
  )`,
  'CREATE INDEX idx_notification_records_status_due ON notification_records (status, next_attempt_at)',
  'CREATE INDEX idx_notification_records_user_created ON notification_records (user_id, created_at)',
  'CREATE INDEX idx_notification_records_created ON notification_records (created_at)',
  // INTEGER PRIMARY KEY aliases the rowid: the auto-increment surrogate key without a second index.
  `CREATE TABLE notification_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id TEXT NOT NULL,
    attempt_no INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    error_code TEXT NULL,
    error_message TEXT NULL,
    request_payload TEXT NULL,
    response_payload TEXT NULL,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    possible_duplicate INTEGER NOT NULL DEFAULT 0
  )`,
  'CREATE INDEX idx_notification_attempts_notification ON notification_attempts (notification_id, attempt_no)',
  `CREATE TABLE user_channel_configs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    settings_ciphertext TEXT NULL,
    key_id TEXT NULL,
    quiet_hours_start TEXT NULL,
    quiet_hours_end TEXT NULL,
    timezone TEXT NULL,
    state TEXT NOT NULL DEFAULT 'valid',
    invalid_reason TEXT NULL,
    ${CREATED_AT},
    ${UPDATED_AT},
    version INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT uq_user_channel_configs_user_channel UNIQUE (user_id, channel)
  )`,
  `CREATE TABLE scheduled_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    due_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'waiting',
    trigger_payload TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    fired_at TEXT NULL,
    notification_ids TEXT NULL,
    ${CREATED_AT},
    ${UPDATED_AT},
    CONSTRAINT uq_scheduled_jobs_job_key UNIQUE (job_key)
  )`,
  'CREATE INDEX idx_scheduled_jobs_status_due ON scheduled_jobs (status, due_at)',
  'CREATE INDEX idx_scheduled_jobs_user_due ON scheduled_jobs (user_id, due_at)',
];

const DOWN = ['scheduled_jobs', 'user_channel_configs', 'notification_attempts', 'notification_records'];

/** Creates the four tables of docs/architecture.md §7 on SQLite (the embedded store). */
export class InitialSchema1767225600000 implements MigrationInterface {
  readonly name = 'InitialSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of DOWN) await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
