/** One job of the scanner, run every tick in batches until a batch comes back short. */
export interface ScannerDuty {
  /** Stable name for logs and stats (`fire_due_jobs`, `outbox_relay`, …). */
  readonly name: string;
  /** Process at most `limit` rows; returns how many it handled. */
  runBatch(limit: number): Promise<number>;
}
