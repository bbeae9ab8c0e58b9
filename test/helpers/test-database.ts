import { createConnection } from 'mysql2/promise';
import { TEST_MYSQL_ROOT_URL, uniqueSuffix } from './test-env.js';

/** A throwaway MariaDB database for one test file; `drop()` removes it. */
export interface TestDatabase {
  readonly name: string;
  /** `mysql://root@127.0.0.1:3306/<name>` */
  readonly url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ngw_test_${uniqueSuffix()}`;
  const connection = await createConnection(TEST_MYSQL_ROOT_URL);
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await connection.end();
  }
  return {
    name,
    url: `${TEST_MYSQL_ROOT_URL}/${name}`,
    async drop() {
      const dropper = await createConnection(TEST_MYSQL_ROOT_URL);
      try {
        await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await dropper.end();
      }
    },
  };
}
