import { expect } from 'vitest';
import type {
  PluginContext,
  PluginLogger,
  SendRequest,
  SendResult,
} from '../../../src/core/contract/index.js';
import { DELIVERY_OUTCOMES } from '../../../src/core/contract/index.js';

/** A logger that keeps what it is given, so tests can assert nothing secret is logged. */
export interface MemoryLogger extends PluginLogger {
  readonly lines: Array<{ level: string; fields: Record<string, unknown>; message: string }>;
}

/** A PluginContext with an in-memory logger and an optional fixed clock. */
export function makeContext(now: () => Date = () => new Date()): PluginContext & { logger: MemoryLogger } {
  const lines: MemoryLogger['lines'] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, fields, message });
  };
  const logger: MemoryLogger = {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  return { channel: 'test-channel', logger, now };
}

let counter = 0;

/** A SendRequest with sensible defaults; `settings` must be given. */
export function makeRequest(
  settings: Record<string, string>,
  overrides: Partial<Omit<SendRequest, 'settings'>> = {},
): SendRequest {
  counter += 1;
  return {
    notificationId: `ntf-${counter}`,
    idempotencyKey: `idem-${process.pid}-${Date.now()}-${counter}`,
    attemptNo: 1,
    userId: 'user-1',
    channel: 'test-channel',
    text: 'Your schedule changed',
    triggerId: `trg-${counter}`,
    triggerType: 'schedule_changed',
    target: undefined,
    metadata: {},
    traceId: 'trace-1',
    signal: new AbortController().signal,
    ...overrides,
    settings,
  };
}

/** Asserts that no secret appears anywhere in the result (payloads, message, codes). */
export function expectNoSecrets(result: SendResult, secrets: readonly string[]): void {
  const serialized = JSON.stringify(result);
  for (const secret of secrets) expect(serialized).not.toContain(secret);
}

/** Asserts the result is well-formed per the contract. */
export function expectValidResult(result: SendResult): void {
  expect(DELIVERY_OUTCOMES).toContain(result.outcome);
  if (result.outcome !== 'success') expect(result.errorCode).toMatch(/^[a-z0-9_]+$/);
}

/** Unique-enough id for tokens and open_ids within one test file. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}${counter.toString(16).padStart(4, '0')}${Math.random().toString(16).slice(2, 10)}`;
}
