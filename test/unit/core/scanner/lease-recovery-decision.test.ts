import { describe, expect, it } from 'vitest';
import {
  decideLeaseRecovery,
  LEASE_EXPIRED,
  OUTCOME_UNKNOWN,
} from '../../../../src/core/scanner/lease-recovery-decision.js';

const fresh = { attemptCount: 0, maxAttempts: 6 };

describe('decideLeaseRecovery', () => {
  it('idempotent provider: retried (failed, due now) without a duplicate flag, whatever the policy', () => {
    for (const policy of ['retry', 'dead'] as const) {
      expect(decideLeaseRecovery(fresh, true, policy)).toMatchObject({
        status: 'failed',
        lastErrorCode: LEASE_EXPIRED,
        possibleDuplicate: false,
      });
    }
  });

  it('non-idempotent provider with policy retry: retried, attempt flagged possible duplicate', () => {
    expect(decideLeaseRecovery(fresh, false, 'retry')).toMatchObject({
      status: 'failed',
      lastErrorCode: LEASE_EXPIRED,
      possibleDuplicate: true,
    });
  });

  it('non-idempotent provider with policy dead: dead with outcome_unknown', () => {
    expect(decideLeaseRecovery(fresh, false, 'dead')).toMatchObject({
      status: 'dead',
      lastErrorCode: OUTCOME_UNKNOWN,
      possibleDuplicate: true,
    });
  });

  it('the lost call spends an attempt: the last one left makes the record dead', () => {
    expect(decideLeaseRecovery({ attemptCount: 4, maxAttempts: 6 }, true, 'retry').status).toBe('failed');
    expect(decideLeaseRecovery({ attemptCount: 5, maxAttempts: 6 }, true, 'retry')).toMatchObject({
      status: 'dead',
      lastErrorCode: LEASE_EXPIRED,
    });
    expect(decideLeaseRecovery({ attemptCount: 0, maxAttempts: 1 }, false, 'retry')).toMatchObject({
      status: 'dead',
      possibleDuplicate: true,
    });
  });
});
