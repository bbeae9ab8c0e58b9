import type { NotificationStatus } from './notification-record.js';

/*
 * The status machine, declared once (docs/architecture.md, "The status machine"). The stores'
 * compare-and-set statements are built from STATUS_MOVES, and every move is checked against
 * TRANSITIONS when this module loads, so a store cannot move a record along an edge the machine
 * does not have without the process failing at boot.
 */

/** Allowed moves. The store enforces them with compare-and-set on (id, status, version). */
const TRANSITIONS: Readonly<Record<NotificationStatus, readonly NotificationStatus[]>> = {
  pending: ['sending', 'skipped', 'cancelled', 'scheduled'],
  scheduled: ['sending', 'pending', 'cancelled'],
  sending: ['sent', 'failed', 'dead', 'skipped'],
  failed: ['sending', 'cancelled', 'pending'],
  sent: [],
  skipped: [],
  dead: ['pending'],
  cancelled: [],
};

/** Statuses a record never leaves except by an explicit redrive. */
export const TERMINAL_STATUSES: readonly NotificationStatus[] = ['sent', 'skipped', 'dead', 'cancelled'];

/** True for sent, skipped, dead and cancelled. */
export function isTerminal(status: NotificationStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** True when `from → to` is a move of the status machine. */
export function canTransition(from: NotificationStatus, to: NotificationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Statuses a worker may claim for sending once next_attempt_at has come (scheduled = quiet hours);
 * also the statuses the outbox relay republishes, since a record in them is waiting for a message.
 */
export const CLAIMABLE_STATUSES = [
  'pending',
  'failed',
  'scheduled',
] as const satisfies readonly NotificationStatus[];

/** The statuses a provider call can end a `sending` record in. */
export const FINISHED_STATUSES = [
  'sent',
  'failed',
  'dead',
  'skipped',
] as const satisfies readonly NotificationStatus[];
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/**
 * The statuses lease recovery moves an expired `sending` record to: failed or dead for a lost call,
 * or, when the worker stored the provider's answer before dying, whatever that answer decides.
 */
export const RECOVERED_STATUSES = [
  'failed',
  'dead',
  'sent',
  'skipped',
] as const satisfies readonly NotificationStatus[];
export type RecoveredStatus = (typeof RECOVERED_STATUSES)[number];

/** One compare-and-set a store performs: a record in any of `from` moves to one of `to`. */
export interface StatusMove {
  readonly from: readonly NotificationStatus[];
  readonly to: readonly NotificationStatus[];
}

/** The moves the stores make; each SQL transition is built from one of these. */
export const STATUS_MOVES = {
  /** A worker takes a due record for one provider call. */
  claim: { from: CLAIMABLE_STATUSES, to: ['sending'] },
  /** A worker records the provider call's outcome. */
  finish: { from: ['sending'], to: FINISHED_STATUSES },
  /** The scanner moves a record whose worker's lease expired. */
  recoverLease: { from: ['sending'], to: RECOVERED_STATUSES },
  /** An operator redrives a record with a fresh attempt budget. */
  redrive: { from: ['dead', 'failed'], to: ['pending'] },
  /** An operator cancels a record that has not been delivered. */
  cancel: { from: ['pending', 'scheduled', 'failed'], to: ['cancelled'] },
} as const satisfies Record<string, StatusMove>;

/** Every (from, to) pair of `moves` that is not an edge of the machine, as `name: from → to`. */
export function movesOutsideMachine(moves: Readonly<Record<string, StatusMove>>): string[] {
  return Object.entries(moves).flatMap(([name, move]) =>
    move.from.flatMap((from) =>
      move.to.filter((to) => !canTransition(from, to)).map((to) => `${name}: ${from} → ${to}`),
    ),
  );
}

const outside = movesOutsideMachine(STATUS_MOVES);
if (outside.length > 0) {
  throw new Error(`status moves outside the status machine: ${outside.join(', ')}`);
}
