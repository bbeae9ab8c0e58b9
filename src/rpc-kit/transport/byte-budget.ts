/** Something that holds bytes of a ByteBudget and can be made to give them up. */
export interface BudgetHolder {
  /** Stops the holder's request or response; the budget has already released its bytes. */
  evict(): void;
}

/**
 * A process-wide byte budget shared by many holders (request bodies, unsent responses). When a
 * holder needs room that is not there, holders that have held bytes longer than evictAfterMs are
 * evicted, oldest first: a slow or stalled peer gives way to a fast one, so hostile clients that fill
 * the budget cannot starve ordinary calls, and memory never exceeds max.
 */
export class ByteBudget {
  private used = 0;
  // Insertion order is age order: a holder is added when it first takes bytes.
  private readonly holders = new Map<BudgetHolder, { bytes: number; since: number }>();

  constructor(
    private readonly max: number,
    private readonly evictAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.used;
  }

  /** Adds bytes to holder's share, evicting old holders to make room; false when there is none. */
  take(holder: BudgetHolder, bytes: number): boolean {
    if (this.used + bytes > this.max && !this.makeRoom(holder, bytes)) return false;
    const share = this.holders.get(holder);
    if (share) share.bytes += bytes;
    else this.holders.set(holder, { bytes, since: this.now() });
    this.used += bytes;
    return true;
  }

  /** Gives back part of holder's share; a holder left with nothing starts a new age on its next take. */
  giveBack(holder: BudgetHolder, bytes: number): void {
    const share = this.holders.get(holder);
    if (!share) return;
    const returned = Math.min(bytes, share.bytes);
    share.bytes -= returned;
    this.used -= returned;
    if (share.bytes === 0) this.holders.delete(holder);
  }

  /** Gives back everything holder holds (idempotent). */
  release(holder: BudgetHolder): void {
    const share = this.holders.get(holder);
    if (!share) return;
    this.holders.delete(holder);
    this.used -= share.bytes;
  }

  private makeRoom(taker: BudgetHolder, bytes: number): boolean {
    const oldEnough = this.now() - this.evictAfterMs;
    for (const [holder, share] of this.holders) {
      if (this.used + bytes <= this.max) break;
      if (share.since > oldEnough) break;
      if (holder === taker) continue;
      this.release(holder);
      holder.evict();
    }
    return this.used + bytes <= this.max;
  }
}
