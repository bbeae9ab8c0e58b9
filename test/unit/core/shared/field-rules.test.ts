import { describe, expect, it } from 'vitest';
import { checkId, checkLength, echo, ECHO_MAX_CHARS } from '../../../../src/core/shared/field-rules.js';
import { GatewayError } from '../../../../src/core/shared/gateway-error.js';

function failure(check: () => void): GatewayError | undefined {
  try {
    check();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  return undefined;
}

describe('checkId', () => {
  it.each([
    ['alice ', 'invalid_value'],
    [' alice', 'invalid_value'],
    ['alice\u00a0', 'invalid_value'],
    ['\u3000alice', 'invalid_value'],
    ['ali\nce', 'invalid_value'],
    ['ali\u0000ce', 'invalid_value'],
    ['ali\u0085ce', 'invalid_value'],
    ['ali\ud800ce', 'invalid_value'],
    ['   ', 'field_required'],
    ['', 'field_required'],
  ])('rejects %j with %s, naming the field', (value, reason) => {
    const error = failure(() => checkId('user_id', value, 128));
    expect(error).toMatchObject({ kind: 'invalid_argument', reason, field: 'user_id' });
    expect(error?.message.startsWith('user_id: ')).toBe(true);
  });

  it('accepts inner spaces, CJK and emoji, and an empty optional id', () => {
    for (const value of ['alice smith', '日程-42', 'user-🎉', 'a'.repeat(128)]) {
      expect(failure(() => checkId('user_id', value, 128))).toBeUndefined();
    }
    expect(failure(() => checkId('channel', '', 64, false))).toBeUndefined();
  });

  it('counts characters as a utf8mb4 VARCHAR does: an emoji is one, not two', () => {
    expect(failure(() => checkLength('user_id', '🎉'.repeat(128), 128))).toBeUndefined();
    expect(failure(() => checkLength('user_id', '🎉'.repeat(129), 128))?.reason).toBe('field_too_long');
    expect(failure(() => checkLength('user_id', 'x'.repeat(1_000_000), 128))?.reason).toBe('field_too_long');
  });
});

describe('echo', () => {
  it('quotes a short value whole and cuts a long one to 64 characters and an ellipsis', () => {
    expect(echo('carol')).toBe('"carol"');
    const long = 'k'.repeat(1_000_000);
    expect(echo(long)).toBe(`"${'k'.repeat(ECHO_MAX_CHARS)}…"`);
    expect(echo('a\nb')).toBe('"a\\nb"');
  });
});
