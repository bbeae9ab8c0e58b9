import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Index of attempts by start time: the operator overview counts the last hour's outcomes per
 * minute and its failed attempts by error code, which would otherwise scan every attempt ever made.
 */
export class AttemptsStartedIndex1767800000000 implements MigrationInterface {
  readonly name = 'AttemptsStartedIndex1767800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX idx_notification_attempts_started ON notification_attempts (started_at)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX idx_notification_attempts_started ON notification_attempts');
  }
}
