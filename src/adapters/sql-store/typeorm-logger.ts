import type { Logger as TypeormLogger } from 'typeorm';
import type { Logger } from '../../core/shared/logger.js';
import { MYSQL_DIALECT, type SqlDialect } from './sql-dialect.js';

function firstLine(query: string): string {
  return query.replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * Adapts the gateway's logger to TypeORM. Queries and their parameters are never logged (they hold
 * message text and user ids); duplicate-key errors are the dedupe path working, not failures.
 */
export function createTypeormLogger(logger: Logger, dialect: SqlDialect = MYSQL_DIALECT): TypeormLogger {
  const log = logger.child({ component: 'typeorm' });
  return {
    logQuery() {},
    logQueryError(error, query) {
      if (dialect.isDuplicateKey(error)) return;
      const message = typeof error === 'string' ? error : error.message;
      // Callers handle and report failures; this line is for debugging the query itself.
      log.debug({ err: message, query: firstLine(query) }, 'database query failed');
    },
    logQuerySlow(time, query) {
      log.warn({ duration_ms: time, query: firstLine(query) }, 'slow database query');
    },
    logSchemaBuild(message) {
      log.debug({ schema: message }, 'schema');
    },
    logMigration(message) {
      log.info({ migration: message }, 'migration');
    },
    log(level, message) {
      const text = String(message);
      if (level === 'warn') log.warn(text);
      else log.debug(text);
    },
  };
}
