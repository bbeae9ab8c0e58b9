import type { NotificationStatus } from '../../core/notification/notification-record.js';
import type { StatusMove } from '../../core/notification/status-machine.js';

/*
 * SQL fragments built from the status machine (src/core/notification/status-machine.ts), so the
 * statuses a statement expects and writes are the machine's, never restated as literals. Status
 * words are fixed identifiers of the code, never input, so they are inlined as literals.
 */

/** `status IN ('a', 'b')`: a record in any of `statuses`. */
export function statusIn(statuses: readonly NotificationStatus[]): string {
  return `status IN (${statuses.map((status) => `'${status}'`).join(', ')})`;
}

/** `status IN (…)` over a move's `from` statuses: the compare-and-set's expected state. */
export function movesFrom(move: StatusMove): string {
  return statusIn(move.from);
}

/** The single status a move writes, as an SQL literal; throws at load for a move with several targets. */
export function movesTo(move: StatusMove): string {
  const [to, ...others] = move.to;
  if (to === undefined || others.length > 0) {
    throw new Error(`status move to ${move.to.join('|')} has no single target status`);
  }
  return `'${to}'`;
}
