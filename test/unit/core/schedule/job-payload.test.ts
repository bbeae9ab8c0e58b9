import { describe, expect, it } from 'vitest';
import type { TriggerInput } from '../../../../src/core/delivery/trigger-input.js';
import {
  canonicalJson,
  parseTriggerPayload,
  serializeTrigger,
  triggerPayloadHash,
} from '../../../../src/core/schedule/job-payload.js';
import { triggerForFire } from '../../../../src/core/schedule/schedule-request.js';

const trigger: TriggerInput = {
  userId: 'u1',
  triggerId: 't1',
  triggerType: 'task_overdue',
  previewId: '',
  target: undefined,
  message: { text: 'hi', template: '', variables: { b: '2', a: '1' } },
  channels: ['mock'],
  dedupeKey: '',
  critical: false,
  traceId: '',
  metadata: { z: '1', y: '2' },
};

describe('job payload', () => {
  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });

  it('the hash ignores key order and an absent vs empty target, but not content', () => {
    const reordered: TriggerInput = {
      ...trigger,
      target: { type: '', id: '', url: '' },
      message: { text: 'hi', template: '', variables: { a: '1', b: '2' } },
      metadata: { y: '2', z: '1' },
    };
    expect(triggerPayloadHash(reordered)).toBe(triggerPayloadHash(trigger));
    expect(triggerPayloadHash({ ...trigger, critical: true })).not.toBe(triggerPayloadHash(trigger));
    expect(triggerPayloadHash(trigger)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips through the stored text', () => {
    const parsed = parseTriggerPayload(serializeTrigger(trigger));
    expect(serializeTrigger(parsed)).toBe(serializeTrigger(trigger));
    expect(parsed.metadata).toEqual(trigger.metadata);
  });

  it('a fired job dedupes on job:<job_key> unless its trigger has a dedupe_key', () => {
    expect(triggerForFire('k1', trigger).dedupeKey).toBe('job:k1');
    expect(triggerForFire('k1', { ...trigger, dedupeKey: 'own' }).dedupeKey).toBe('own');
  });
});
