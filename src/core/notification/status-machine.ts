import type { NotificationStatus } from './notification-record.js';

/** Statuses a record never leaves except by an explicit redrive. */
export const TERMINAL_STATUSES: readonly NotificationStatus[] = ['sent', 'skipped', 'dead', 'cancelled'];

/** Allowed moves (DESIGN §4). The store enforces them with compare-and-set on (id, status, version). */
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

/** True for sent, skipped, dead and cancelled. */
export function isTerminal(status: NotificationStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** True when `from → to` is a move of the status machine. */
export function canTransition(from: NotificationStatus, to: NotificationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses a worker may claim for sending once next_attempt_at has come (scheduled = quiet hours). */
export const CLAIMABLE_STATUSES: readonly NotificationStatus[] = ['pending', 'failed', 'scheduled'];
