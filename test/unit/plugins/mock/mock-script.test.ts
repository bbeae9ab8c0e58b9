import { describe, expect, it } from 'vitest';
import { answerFor } from '../../../../src/plugins/mock/mock-script.js';

describe('mock script', () => {
  it('answers by attempt number and repeats the last entry', () => {
    const script = 'temporary_fail,temporary_fail:provider_rate_limited:1500,success';
    expect(answerFor(script, 1)).toEqual({
      outcome: 'temporary_fail',
      errorCode: 'mock_temporary',
      retryAfterMs: undefined,
    });
    expect(answerFor(script, 2)).toEqual({
      outcome: 'temporary_fail',
      errorCode: 'provider_rate_limited',
      retryAfterMs: 1500,
    });
    expect(answerFor(script, 3).outcome).toBe('success');
    expect(answerFor(script, 9).outcome).toBe('success');
  });

  it('rejects unknown outcomes', () => {
    expect(() => answerFor('explode', 1)).toThrow(/unknown mock outcome/);
  });
});
