import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The SQLite twin of migrations/mysql/1767300000000-exact-ids.ts. SQLite's BINARY collation already
 * compares ids byte for byte and TEXT has no length limit, so only request_hash is new: the sha256
 * of a trigger's payload, empty on rows written before it existed.
 */
export class ExactIds1767300000000 implements MigrationInterface {
  readonly name = 'ExactIds1767300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE notification_records ADD COLUMN request_hash TEXT NOT NULL DEFAULT ''",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE notification_records DROP COLUMN request_hash');
  }
}
