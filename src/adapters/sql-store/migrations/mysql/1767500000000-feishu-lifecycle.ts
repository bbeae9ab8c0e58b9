import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Issue 15: the user's card locale, acknowledgement and recall on records, and the kind of each
 * provider call (send, update, recall) on attempts. One ALTER per table, so each is atomic on InnoDB.
 * Frozen history: never edit after release, add a new migration instead.
 */
const UP = [
  `ALTER TABLE user_channel_configs ADD COLUMN locale VARCHAR(16) NULL`,
  `ALTER TABLE notification_records
    ADD COLUMN acknowledged_at DATETIME(3) NULL,
    ADD COLUMN acknowledged_by VARCHAR(191) NULL,
    ADD COLUMN recalled_at DATETIME(3) NULL`,
  `ALTER TABLE notification_attempts ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'send'`,
];

const DOWN = [
  'ALTER TABLE notification_attempts DROP COLUMN kind',
  `ALTER TABLE notification_records
    DROP COLUMN acknowledged_at, DROP COLUMN acknowledged_by, DROP COLUMN recalled_at`,
  'ALTER TABLE user_channel_configs DROP COLUMN locale',
];

/** Adds locale, acknowledged_at/_by, recalled_at and attempt kind on MySQL 8 / MariaDB 10.11. */
export class FeishuLifecycle1767500000000 implements MigrationInterface {
  readonly name = 'FeishuLifecycle1767500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of DOWN) await queryRunner.query(statement);
  }
}
