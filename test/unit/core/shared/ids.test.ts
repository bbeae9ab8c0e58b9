import { describe, expect, it } from 'vitest';
import {
  idempotencyKeyOf,
  newId,
  newTraceId,
  traceIdFromTraceparent,
} from '../../../../src/core/shared/ids.js';

describe('ids', () => {
  it('newId is a time-ordered UUIDv7', () => {
    const a = newId(new Date(1_700_000_000_000));
    const b = newId(new Date(1_700_000_000_001));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
  });

  it('never repeats across pool refills (ids and trace ids share the random pool)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      seen.add(newId(new Date(1_700_000_000_000)).slice(14));
      seen.add(newTraceId());
    }
    expect(seen.size).toBe(4000);
  });

  it('idempotency key is 32 hex chars, within Feishu uuid 50', () => {
    expect(idempotencyKeyOf(newId())).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reads the trace id of a W3C traceparent', () => {
    expect(traceIdFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(traceIdFromTraceparent('garbage')).toBeUndefined();
    expect(traceIdFromTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
  });
});
