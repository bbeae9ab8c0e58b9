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
  it('a recorded success (worker killed before the transition) ends SENT, whatever the policy', () => {
    for (const policy of ['retry', 'dead'] as const) {
      const recorded = { outcome: 'success', errorCode: null, errorMessage: null } as const;
      expect(decideLeaseRecovery(fresh, false, policy, recorded)).toEqual({
        status: 'sent',
        lastErrorCode: null,
        lastErrorMessage: null,
        possibleDuplicate: false,
        fromRecordedAttempt: true,
      });
    }
  });

  it('a recorded failure decides as the finish would have: permanent → dead, temporary → retried until the budget ends', () => {
    const recorded = (outcome: 'permanent_fail' | 'temporary_fail' | 'skipped') => ({
      outcome,
      errorCode: 'provider_5xx',
      errorMessage: 'upstream answered 503',
    });
    expect(decideLeaseRecovery(fresh, false, 'dead', recorded('permanent_fail'))).toMatchObject({
      status: 'dead',
      lastErrorCode: 'provider_5xx',
    });
    expect(decideLeaseRecovery(fresh, false, 'dead', recorded('skipped'))).toMatchObject({
      status: 'skipped',
    });
    expect(decideLeaseRecovery(fresh, false, 'dead', recorded('temporary_fail'))).toMatchObject({
      status: 'failed',
      possibleDuplicate: false,
      fromRecordedAttempt: true,
    });
    expect(
      decideLeaseRecovery({ attemptCount: 5, maxAttempts: 6 }, true, 'retry', recorded('temporary_fail')),
    ).toMatchObject({ status: 'dead' });
  });
});
