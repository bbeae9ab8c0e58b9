/** Tuning of a {@link CoalescingBatcher}. */
export interface CoalescingBatcherOptions {
  /** Batches running at once; a key that arrives while all are busy joins the next batch. */
  readonly maxInFlight: number;
  /** Keys per batch at most (bounds the statement size). */
  readonly maxBatch: number;
}

interface Waiter<K, V> {
  readonly key: K;
  readonly resolve: (value: V) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Turns many single-key lookups into few batch calls, the way a database group-commits: while
 * `maxInFlight` batches are running, new keys queue and go out together as the next batch. An idle
 * batcher adds no delay (a lone key goes out at the next microtask), and under load the batches
 * grow by themselves, so every lookup shares one round trip with its neighbours.
 *
 * `run(keys)` answers one value per key, in order. A failed batch fails each of its lookups with
 * that error, exactly what each would have seen alone when the database is unreachable.
 */
export class CoalescingBatcher<K, V> {
  private readonly queue: Array<Waiter<K, V>> = [];
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(
    private readonly run: (keys: readonly K[]) => Promise<readonly V[]>,
    private readonly options: CoalescingBatcherOptions,
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        // One microtask: keys asked for in the same turn (one socket read of many requests) share a batch.
        queueMicrotask(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.dispatch(batch);
    }
  }

  private async dispatch(batch: Array<Waiter<K, V>>): Promise<void> {
    try {
      const values = await this.run(batch.map((waiter) => waiter.key));
      if (values.length !== batch.length) {
        throw new Error(`batch lookup answered ${values.length} values for ${batch.length} keys`);
      }
      batch.forEach((waiter, i) => waiter.resolve(values[i] as V));
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    } finally {
      this.inFlight -= 1;
      this.pump();
    }
  }
}
