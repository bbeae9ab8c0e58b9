import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A scheduled job whose fire fails for a reason retrying cannot fix ends `failed` with its reason
 * (issue 12): status gains the word `failed` (VARCHAR, no DDL) and two nullable columns hold the
 * reason and the message. Adding nullable columns changes no existing row.
 */
export class JobFailure1767310000000 implements MigrationInterface {
  readonly name = 'JobFailure1767310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE scheduled_jobs
        ADD COLUMN failure_reason VARCHAR(64) NULL AFTER notification_ids,
        ADD COLUMN failure_message VARCHAR(1024) NULL AFTER failure_reason`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE scheduled_jobs DROP COLUMN failure_message, DROP COLUMN failure_reason',
    );
  }
}
