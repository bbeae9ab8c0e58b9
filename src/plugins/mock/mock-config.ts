import {
  ConfigError,
  parseStrictObject,
  readBoolean,
  readInteger,
  readString,
} from '../../core/contract/index.js';
import { parseScriptedAnswer } from './mock-script.js';

/** Config of the `mock` channel. */
export interface MockConfig {
  /** Default answer script when the request metadata has no `mock_outcomes` (default success). */
  readonly outcomes: string;
  /** Delay before answering, ms (default 0); `mock_latency_ms` metadata overrides it. */
  readonly latencyMs: number;
  /** Whether to report itself idempotent (dedupes by idempotency key like Feishu's uuid). */
  readonly idempotent: boolean;
  /** Optional URL every delivery is POSTed to as JSON, so tests can count across processes. */
  readonly sinkUrl: string | undefined;
}

const KEYS = ['outcomes', 'latencyMs', 'idempotent', 'sinkUrl'] as const;

/** Parse the mock channel config strictly; errors name `path.key`. */
export function parseMockConfig(raw: unknown, path: string): MockConfig {
  const record = parseStrictObject(raw, path, KEYS);
  const outcomes = readString(record, 'outcomes', path, 'success');
  for (const entry of outcomes.split(',')) {
    try {
      parseScriptedAnswer(entry);
    } catch (error) {
      throw new ConfigError(`${path}.outcomes`, (error as Error).message);
    }
  }
  const sinkUrl = record.sinkUrl === undefined ? undefined : readString(record, 'sinkUrl', path);
  return {
    outcomes,
    latencyMs: readInteger(record, 'latencyMs', path, { fallback: 0, min: 0, max: 600_000 }),
    idempotent: readBoolean(record, 'idempotent', path, true),
    sinkUrl,
  };
}
