import { describe, expect, it } from 'vitest';
import {
  CANCEL_SQL,
  CLAIM_BY_ID_SQL,
  FINISH_SQL,
  REDRIVE_SQL,
} from '../../../../src/adapters/sql-store/notification-transition-sql.js';
import { movesTo, statusIn } from '../../../../src/adapters/sql-store/status-sql.js';

const squash = (sql: string): string => sql.replace(/\s+/g, ' ');

describe('SQL transitions built from the status machine', () => {
  it('expects and writes the statuses of each move', () => {
    expect(squash(CLAIM_BY_ID_SQL)).toContain("SET status = 'sending'");
    expect(squash(CLAIM_BY_ID_SQL)).toContain("status IN ('pending', 'failed', 'scheduled')");
    expect(squash(FINISH_SQL)).toContain("WHERE id = ? AND status IN ('sending') AND version = ?");
    expect(squash(REDRIVE_SQL)).toContain("SET status = 'pending'");
    expect(squash(REDRIVE_SQL)).toContain("status IN ('dead', 'failed')");
    expect(squash(CANCEL_SQL)).toContain("SET status = 'cancelled'");
    expect(squash(CANCEL_SQL)).toContain("status IN ('pending', 'scheduled', 'failed')");
  });

  it('refuses a move without a single target status', () => {
    expect(statusIn(['sent'])).toBe("status IN ('sent')");
    expect(() => movesTo({ from: ['sending'], to: ['sent', 'dead'] })).toThrow(/no single target/);
  });
});
