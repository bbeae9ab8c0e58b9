import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Ids compare byte for byte. utf8mb4_bin is a PAD SPACE collation on MariaDB and MySQL alike: it
 * ignores trailing spaces, so "alice " found alice's settings and trigger_id "t-2 " deduplicated
 * "t-2" away, while SQLite (BINARY) kept them apart. The id columns move to the server's NO PAD
 * binary collation: utf8mb4_nopad_bin on MariaDB (10.2+), utf8mb4_0900_bin on MySQL 8.0.17+.
 * A collation rather than VARBINARY, because mysql2 answers VARBINARY as Buffers: every reader and
 * the list cursor would have to decode them, and VARCHAR keeps counting characters as the API does.
 *
 * metadata becomes MEDIUMTEXT: 32 entries of 1,024 characters of CJK (3 bytes each) or `"` (escaped
 * to 2) exceed TEXT's 65,535 bytes; the documented limits' worst case (every character escaped to
 * \uXXXX) is about 210 KB. request_hash is the sha256 of the trigger's payload (empty on rows
 * written before it existed): a dedupe key repeated with another payload is then told apart.
 *
 * DDL commits implicitly: every step is written so that a rerun after a failure finishes the job.
 */

/** Columns that hold ids, per table, with their width and nullability. */
const ID_COLUMNS: Readonly<Record<string, ReadonlyArray<readonly [string, number]>>> = {
  notification_records: [
    ['user_id', 128],
    ['channel', 64],
    ['trigger_id', 191],
    ['dedupe_key', 191],
  ],
  user_channel_configs: [
    ['user_id', 128],
    ['channel', 64],
  ],
  scheduled_jobs: [
    ['job_key', 191],
    ['user_id', 128],
  ],
};

/** The NO PAD binary utf8mb4 collation of this server. */
async function noPadCollation(queryRunner: QueryRunner): Promise<string> {
  const [row] = (await queryRunner.query('SELECT VERSION() AS version')) as Array<{ version: string }>;
  return /mariadb/i.test(row?.version ?? '') ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

async function hasColumn(queryRunner: QueryRunner, table: string, column: string): Promise<boolean> {
  const rows = (await queryRunner.query(
    `SELECT 1 FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`,
    [table, column],
  )) as unknown[];
  return rows.length > 0;
}

async function setIdCollation(queryRunner: QueryRunner, collation: string): Promise<void> {
  for (const [table, columns] of Object.entries(ID_COLUMNS)) {
    const changes = columns.map(
      ([column, width]) =>
        `MODIFY ${column} VARCHAR(${width}) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
  }
}

/** Exact (NO PAD) id columns, MEDIUMTEXT metadata and notification_records.request_hash. */
export class ExactIds1767300000000 implements MigrationInterface {
  readonly name = 'ExactIds1767300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await setIdCollation(queryRunner, await noPadCollation(queryRunner));
    await queryRunner.query('ALTER TABLE notification_records MODIFY metadata MEDIUMTEXT NOT NULL');
    if (!(await hasColumn(queryRunner, 'notification_records', 'request_hash'))) {
      await queryRunner.query(
        `ALTER TABLE notification_records
         ADD COLUMN request_hash VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT ''`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (await hasColumn(queryRunner, 'notification_records', 'request_hash')) {
      await queryRunner.query('ALTER TABLE notification_records DROP COLUMN request_hash');
    }
    await queryRunner.query('ALTER TABLE notification_records MODIFY metadata TEXT NOT NULL');
    await setIdCollation(queryRunner, 'utf8mb4_bin');
  }
}
