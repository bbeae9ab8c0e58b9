import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The SQLite twin of migrations/mysql/1767310000000-job-failure.ts. */
export class JobFailure1767310000000 implements MigrationInterface {
  readonly name = 'JobFailure1767310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE scheduled_jobs ADD COLUMN failure_reason TEXT NULL');
    await queryRunner.query('ALTER TABLE scheduled_jobs ADD COLUMN failure_message TEXT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE scheduled_jobs DROP COLUMN failure_message');
    await queryRunner.query('ALTER TABLE scheduled_jobs DROP COLUMN failure_reason');
  }
}
