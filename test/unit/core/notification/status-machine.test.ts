import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_STATUSES,
  type NotificationStatus,
} from '../../../../src/core/notification/notification-record.js';
import {
  STATUS_MOVES,
  canTransition,
  isTerminal,
  movesOutsideMachine,
} from '../../../../src/core/notification/status-machine.js';

describe('status machine', () => {
  it('has every store move on an edge of the machine, pair by pair', () => {
    for (const [name, move] of Object.entries(STATUS_MOVES)) {
      for (const from of move.from) {
        for (const to of move.to) expect(canTransition(from, to), `${name}: ${from} → ${to}`).toBe(true);
      }
    }
    expect(movesOutsideMachine(STATUS_MOVES)).toEqual([]);
  });

  it('names a move that leaves the machine', () => {
    expect(movesOutsideMachine({ resurrect: { from: ['sent', 'dead'], to: ['sending'] } })).toEqual([
      'resurrect: sent → sending',
      'resurrect: dead → sending',
    ]);
  });

  it('lets a terminal status move only by redrive', () => {
    for (const from of NOTIFICATION_STATUSES.filter(isTerminal)) {
      for (const to of NOTIFICATION_STATUSES) {
        const redrivable: readonly NotificationStatus[] = STATUS_MOVES.redrive.from;
        const redrive = redrivable.includes(from) && to === 'pending';
        expect(canTransition(from, to), `${from} → ${to}`).toBe(redrive);
      }
    }
  });
});
