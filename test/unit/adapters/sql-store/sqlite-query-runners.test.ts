import type { DataSource, QueryRunner } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { installedPackageVersion } from '../../../../src/adapters/installed-package-version.js';
import {
  TYPEORM_PATCHED_VERSION,
  installSqliteQueryRunners,
} from '../../../../src/adapters/sql-store/sqlite-query-runners.js';

function fakeDataSource(): DataSource {
  const driver = { createQueryRunner: () => ({}) as QueryRunner };
  return { driver } as unknown as DataSource;
}

describe('SQLite query-runner leases, checked against the TypeORM version they were written for', () => {
  it('are written against the installed (pinned) typeorm', () => {
    expect(installedPackageVersion('typeorm')).toBe(TYPEORM_PATCHED_VERSION);
  });

  it('install silently on that version and warn, naming both versions, on another', () => {
    const warnings: Array<Record<string, unknown>> = [];
    const warn = (fields: Record<string, unknown>) => warnings.push(fields);
    installSqliteQueryRunners(fakeDataSource(), warn, TYPEORM_PATCHED_VERSION);
    expect(warnings).toEqual([]);
    const other = fakeDataSource();
    const original = (other.driver as unknown as { createQueryRunner: unknown }).createQueryRunner;
    installSqliteQueryRunners(other, warn, '1.2.0');
    expect(warnings).toEqual([{ typeorm_version: '1.2.0', patched_version: TYPEORM_PATCHED_VERSION }]);
    // Still installed: the embedded store cannot run without the leases.
    expect((other.driver as unknown as { createQueryRunner: unknown }).createQueryRunner).not.toBe(original);
  });
});
