import { describe, expect, it } from 'vitest';
import { quietWindowEnd } from '../../../../src/core/user-config/quiet-hours.js';

describe('quietWindowEnd', () => {
  const window = { start: '22:00', end: '08:00' };

  it('inside a window that wraps midnight → the end in the user zone', () => {
    // 23:30 in Shanghai (UTC+8) is 15:30 UTC; the window ends 08:00 Shanghai = 00:00 UTC next day.
    const end = quietWindowEnd(new Date('2026-03-01T15:30:00Z'), window, 'Asia/Shanghai');
    expect(end?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });

  it('outside the window → null', () => {
    expect(quietWindowEnd(new Date('2026-03-01T04:00:00Z'), window, 'Asia/Shanghai')).toBeNull();
  });

  it('same-day window and UTC default', () => {
    expect(
      quietWindowEnd(new Date('2026-03-01T12:15:30Z'), { start: '12:00', end: '13:00' }, '')?.toISOString(),
    ).toBe('2026-03-01T13:00:00.000Z');
  });

  it('no window, or start == end → null', () => {
    expect(quietWindowEnd(new Date(), null, 'UTC')).toBeNull();
    expect(quietWindowEnd(new Date(), { start: '10:00', end: '10:00' }, 'UTC')).toBeNull();
  });
});
