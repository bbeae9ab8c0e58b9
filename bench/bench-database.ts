import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

/** A throwaway database for one target in one run. */
export interface BenchDatabase {
  readonly name: string;
  /** `<root url>/<name>` */
  readonly url: string;
  drop(): Promise<void>;
}

/** A short random suffix for database, queue and name-prefix names. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

async function withRoot<T>(rootUrl: string, work: (sql: (q: string) => Promise<unknown>) => Promise<T>) {
  const connection = await createConnection(rootUrl);
  try {
    return await work((q) => connection.query(q));
  } finally {
    await connection.end();
  }
}

/** Creates `ngw_bench_<tag>_<suffix>` (utf8mb4_bin, as the gateway expects). */
export async function createBenchDatabase(rootUrl: string, tag: string): Promise<BenchDatabase> {
  const name = `ngw_bench_${tag}_${uniqueSuffix()}`;
  await withRoot(rootUrl, (sql) =>
    sql(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`),
  );
  return {
    name,
    url: `${rootUrl}/${name}`,
    drop: () => withRoot(rootUrl, (sql) => sql(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => undefined),
  };
}

/** MariaDB's version string (for the report). */
export function mariadbVersion(rootUrl: string): Promise<string> {
  return withRoot(rootUrl, async (sql) => {
    const [rows] = (await sql('SELECT VERSION() AS v')) as [Array<{ v: string }>];
    return rows[0]?.v ?? 'unknown';
  });
}
