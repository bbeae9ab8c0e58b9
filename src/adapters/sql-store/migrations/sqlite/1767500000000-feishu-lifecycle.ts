import type { MigrationInterface, QueryRunner } from 'typeorm';

/* The SQLite twin of migrations/mysql/1767500000000-feishu-lifecycle.ts (SQLite adds one column per statement). */
const UP = [
  'ALTER TABLE user_channel_configs ADD COLUMN locale TEXT NULL',
  'ALTER TABLE notification_records ADD COLUMN acknowledged_at TEXT NULL',
  'ALTER TABLE notification_records ADD COLUMN acknowledged_by TEXT NULL',
  'ALTER TABLE notification_records ADD COLUMN recalled_at TEXT NULL',
  "ALTER TABLE notification_attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'send'",
];

const DOWN = [
  'ALTER TABLE notification_attempts DROP COLUMN kind',
  'ALTER TABLE notification_records DROP COLUMN recalled_at',
  'ALTER TABLE notification_records DROP COLUMN acknowledged_by',
  'ALTER TABLE notification_records DROP COLUMN acknowledged_at',
  'ALTER TABLE user_channel_configs DROP COLUMN locale',
];

/** Adds locale, acknowledged_at/_by, recalled_at and attempt kind on SQLite. */
export class FeishuLifecycle1767500000000 implements MigrationInterface {
  readonly name = 'FeishuLifecycle1767500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of DOWN) await queryRunner.query(statement);
  }
}
