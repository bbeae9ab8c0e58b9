import type { Logger } from '../shared/logger.js';
import type { ScannerDuty } from './scanner-duty.js';

/** While a duty keeps failing, how often its failure is logged again. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Options of {@link Scanner}. */
export interface ScannerOptions {
  /** Pause between the end of one tick and the start of the next (`scanner.intervalMs`). */
  readonly intervalMs: number;
  /** Rows per batch (`scanner.batchSize`): small, so each claim transaction holds its locks briefly. */
  readonly batchSize: number;
  /** Batches one duty may run per tick (default 20), so a backlog cannot starve the other duties. */
  readonly maxBatchesPerTick?: number;
  readonly logger: Logger;
}

/**
 * Runs its duties one after another every `intervalMs` (never overlapping itself), each in batches
 * until a batch comes back short. Several scanners may run against one database: the duties' claims
 * use SKIP LOCKED, so they split the rows. A failing duty is logged and retried next tick.
 */
export class Scanner {
  private readonly failingSince = new Map<string, number>();
  private readonly lastFailureLog = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  /** Set by stop(): a tick in progress ends after its current batch. */
  private stopping = false;
  private readonly handled = new Map<string, number>();

  constructor(
    private readonly duties: readonly ScannerDuty[],
    private readonly options: ScannerOptions,
  ) {}

  /** Rows each duty has handled since start, by duty name (metrics and tests). */
  stats(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.duties.map((duty) => [duty.name, this.handled.get(duty.name) ?? 0]));
  }

  /** Start ticking; the first tick runs at once so a restarted worker recovers without waiting. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.schedule(0);
  }

  /** Stop ticking; resolves once the tick in progress (if any) has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Run every duty once (batched); exposed so tests can drive the scanner without waiting. */
  async tick(): Promise<void> {
    const maxBatches = this.options.maxBatchesPerTick ?? 20;
    for (const duty of this.duties) {
      if (this.stopping) break;
      for (let batch = 0; batch < maxBatches; batch++) {
        let count: number;
        try {
          count = await duty.runBatch(this.options.batchSize);
        } catch (error) {
          this.reportFailure(duty.name, error);
          break;
        }
        this.reportRecovery(duty.name);
        this.handled.set(duty.name, (this.handled.get(duty.name) ?? 0) + count);
        // A stopping process finishes the batch it claimed (and publishes it), then lets go.
        if (count < this.options.batchSize || this.stopping) break;
      }
    }
  }

  /**
   * During an outage every tick fails; log the first failure, then once a minute, so a database
   * restart does not flood the logs (one line per duty per second otherwise).
   */
  private reportFailure(duty: string, error: unknown): void {
    const now = Date.now();
    const since = this.failingSince.get(duty);
    if (since === undefined) this.failingSince.set(duty, now);
    const last = this.lastFailureLog.get(duty) ?? 0;
    if (since !== undefined && now - last < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLog.set(duty, now);
    const { message, code } = error as { message?: string; code?: string };
    this.options.logger.error(
      { duty, err: message ?? String(error), code, failing_ms: since === undefined ? 0 : now - since },
      'scanner duty failed',
    );
  }

  private reportRecovery(duty: string): void {
    const since = this.failingSince.get(duty);
    if (since === undefined) return;
    this.failingSince.delete(duty);
    this.lastFailureLog.delete(duty);
    this.options.logger.info({ duty, failed_ms: Date.now() - since }, 'scanner duty recovered');
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => {
        this.inFlight = undefined;
        this.schedule(this.options.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }
}
