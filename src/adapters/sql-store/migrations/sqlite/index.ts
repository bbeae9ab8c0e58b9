import type { MigrationInterface } from 'typeorm';
import { InitialSchema1767225600000 } from './1767225600000-initial-schema.js';
import { ExactIds1767300000000 } from './1767300000000-exact-ids.js';
import { JobFailure1767310000000 } from './1767310000000-job-failure.js';
import { EventRecords1767400000000 } from './1767400000000-event-records.js';
import { FeishuLifecycle1767500000000 } from './1767500000000-feishu-lifecycle.js';
import { StatusCallbacks1767600000000 } from './1767600000000-status-callbacks.js';
import { AttemptsStartedIndex1767800000000 } from './1767800000000-attempts-started-index.js';

/** The SQLite (embedded store) migrations in order; same names as the MySQL set, never mixed in. */
export const SQLITE_MIGRATIONS: ReadonlyArray<new () => MigrationInterface> = [
  InitialSchema1767225600000,
  ExactIds1767300000000,
  JobFailure1767310000000,
  EventRecords1767400000000,
  FeishuLifecycle1767500000000,
  StatusCallbacks1767600000000,
  AttemptsStartedIndex1767800000000,
];
