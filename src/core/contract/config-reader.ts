import { ConfigError } from './errors.js';

/**
 * Small strict readers for plugin config, so plugins need no validation library and every error
 * names its path. `parseStrictObject` rejects keys outside `allowed`.
 */
export function parseStrictObject(
  raw: unknown,
  path: string,
  allowed: readonly string[],
): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(path, 'must be a mapping');
  }
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`${path}.${key}`, `unknown key (allowed: ${allowed.join(', ') || 'none'})`);
    }
  }
  return record;
}

/** An integer within [min, max], or `fallback` when absent. */
export function readInteger(
  record: Record<string, unknown>,
  key: string,
  path: string,
  options: { fallback: number; min?: number; max?: number },
): number {
  const value = record[key];
  if (value === undefined) return options.fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ConfigError(`${path}.${key}`, 'must be an integer');
  }
  if (options.min !== undefined && value < options.min) {
    throw new ConfigError(`${path}.${key}`, `must be >= ${options.min}`);
  }
  if (options.max !== undefined && value > options.max) {
    throw new ConfigError(`${path}.${key}`, `must be <= ${options.max}`);
  }
  return value;
}

/** A boolean, or `fallback` when absent. */
export function readBoolean(
  record: Record<string, unknown>,
  key: string,
  path: string,
  fallback: boolean,
): boolean {
  const value = record[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`${path}.${key}`, 'must be true or false');
  return value;
}

/** A non-empty string; `fallback` when absent, or an error if `fallback` is undefined. */
export function readString(
  record: Record<string, unknown>,
  key: string,
  path: string,
  fallback?: string,
): string {
  const value = record[key];
  if (value === undefined) {
    if (fallback === undefined) throw new ConfigError(`${path}.${key}`, 'is required');
    return fallback;
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`${path}.${key}`, 'must be a non-empty string');
  }
  return value;
}

/** A list of non-empty strings, or `fallback` when absent. */
export function readStringList(
  record: Record<string, unknown>,
  key: string,
  path: string,
  fallback: readonly string[],
): string[] {
  const value = record[key];
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value)) throw new ConfigError(`${path}.${key}`, 'must be a list of strings');
  return value.map((item, index) => {
    if (typeof item !== 'string' || item.length === 0) {
      throw new ConfigError(`${path}.${key}[${index}]`, 'must be a non-empty string');
    }
    return item;
  });
}
