import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { percentiles } from './stats.js';

const OPEN_STATUSES = `('pending', 'sending', 'failed', 'scheduled')`;

/** What the database says about one phase's records (all times on the target's own clock). */
export interface RecordStats {
  readonly records: number;
  readonly sent: number;
  /** Records in another terminal state (skipped, dead, cancelled): errors from the bench's view. */
  readonly otherTerminal: number;
  /** sent / (last sent_at − first created_at), seconds. */
  readonly sentPerSec: number;
  readonly sendP50Ms: number;
  readonly sendP99Ms: number;
}

/**
 * Reads `notification_records` of one target (the gateway's table or the baseline's copy, which
 * share the column names used here). A phase's records are those whose user_id starts with its tag.
 */
export class PhaseMetrics {
  private readonly pool: Pool;

  constructor(databaseUrl: string) {
    this.pool = createPool({ uri: databaseUrl, connectionLimit: 2, timezone: 'Z' });
  }

  /** Records of the phase not yet in a terminal state. */
  async openCount(tag: string): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM notification_records WHERE status IN ${OPEN_STATUSES} AND user_id LIKE ?`,
      [`${tag}-%`],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Polls every 100 ms until no record of the phase is open; returns ms waited, or null on timeout. */
  async waitDrained(tag: string, timeoutMs: number): Promise<number | null> {
    const started = performance.now();
    for (;;) {
      if ((await this.openCount(tag)) === 0) return performance.now() - started;
      if (performance.now() - started > timeoutMs) return null;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async recordStats(tag: string): Promise<RecordStats> {
    const [summary] = await this.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS records, SUM(status = 'sent') AS sent,
          SUM(status IN ('skipped', 'dead', 'cancelled')) AS other,
          TIMESTAMPDIFF(MICROSECOND, MIN(created_at), MAX(sent_at)) AS span_us
        FROM notification_records WHERE user_id LIKE ?`,
      [`${tag}-%`],
    );
    const [latencies] = await this.pool.query<RowDataPacket[]>(
      `SELECT TIMESTAMPDIFF(MICROSECOND, created_at, sent_at) AS us
        FROM notification_records WHERE user_id LIKE ? AND status = 'sent'`,
      [`${tag}-%`],
    );
    const row = (summary[0] ?? {}) as Record<string, unknown>;
    const sent = Number(row.sent ?? 0);
    const spanSec = Number(row.span_us ?? 0) / 1e6;
    const { p50, p99 } = percentiles(latencies.map((r) => Number(r.us) / 1000));
    return {
      records: Number(row.records ?? 0),
      sent,
      otherTerminal: Number(row.other ?? 0),
      sentPerSec: spanSec > 0 ? sent / spanSec : 0,
      sendP50Ms: p50,
      sendP99Ms: p99,
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
