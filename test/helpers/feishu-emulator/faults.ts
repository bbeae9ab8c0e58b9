import type { Fault, FaultRoute } from './types.js';

/** FIFO of scripted faults; each request takes the first one aimed at its route. */
export class FaultQueue {
  readonly #queue: Array<{ fault: Fault; left: number }> = [];

  push(faults: readonly Fault[]): void {
    for (const fault of faults) this.#queue.push({ fault, left: fault.times ?? 1 });
  }

  take(route: FaultRoute): Fault | undefined {
    const index = this.#queue.findIndex(
      (entry) => entry.fault.route === undefined || entry.fault.route === route,
    );
    if (index < 0) return undefined;
    const entry = this.#queue[index]!;
    entry.left -= 1;
    if (entry.left <= 0) this.#queue.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.#queue.length = 0;
  }

  get pending(): number {
    return this.#queue.length;
  }
}
