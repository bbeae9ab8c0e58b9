import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLError } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../contract/index.js';
import { gatewayConfigSchema, type GatewayConfig } from './gateway-config.js';

/** Environment variables that override the config file (README.md, Configuration). */
export const ENV_OVERRIDES = {
  NOTIFY_DATABASE_URL: ['database', 'url'],
  NOTIFY_AMQP_URL: ['broker', 'url'],
  NOTIFY_HOST: ['server', 'host'],
  NOTIFY_PORT: ['server', 'port'],
  NOTIFY_LOG_LEVEL: ['log', 'level'],
} as const;

/** Replace `${NAME}` with the environment value; a missing variable is a config error. */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const resolved = env[name];
      if (resolved === undefined)
        throw new ConfigError(path || '(root)', `environment variable ${name} is not set`);
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateEnv(item, env, path ? `${path}.${key}` : key),
      ]),
    );
  }
  return value;
}

function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [name, [section, key]] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const target = (raw[section] ??= {}) as Record<string, unknown>;
    if (typeof target !== 'object' || Array.isArray(target))
      throw new ConfigError(section, 'must be a mapping');
    target[key] = key === 'port' ? Number(value) : value;
  }
}

function issuePath(issue: z.core.$ZodIssue): string {
  let path = '';
  for (const part of issue.path) {
    path += typeof part === 'number' ? `[${part}]` : path ? `.${String(part)}` : String(part);
  }
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => (path ? `${path}.${key}` : key));
    return keys.join(', ');
  }
  return path || '(root)';
}

/** Validate a raw config object (after interpolation and overrides); throws ConfigError with the path. */
export function parseGatewayConfig(raw: unknown): GatewayConfig {
  const result = gatewayConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    if (!issue) throw new ConfigError('(root)', 'invalid config');
    const problem = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    throw new ConfigError(issuePath(issue), problem);
  }
  return result.data;
}

/** The mapping key written on `line` (1-based) of `text`, if the line starts with one. */
function keyAt(text: string, line: number): string | undefined {
  return /^\s*(?:-\s+)?([^\s:#{}[\],'"]+)\s*:/.exec(text.split('\n')[line - 1] ?? '')?.[1];
}

/**
 * Parse the config file's YAML; malformed YAML and a key repeated in one mapping (which would
 * otherwise let the last one silently win) are config errors naming the file, line and column.
 */
function parseConfigYaml(text: string, file: string): unknown {
  try {
    return parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    if (!(error instanceof YAMLError)) throw error;
    const at = error.linePos?.[0];
    const where = at ? `${file}:${at.line}:${at.col}` : file;
    const problem = (error.message.split('\n', 1)[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    // Only the key's name, never the line: the repeated value may be a secret.
    const key = at && error.code === 'DUPLICATE_KEY' ? keyAt(text, at.line) : undefined;
    throw new ConfigError(where, `invalid YAML: ${problem}${key ? ` (key "${key}")` : ''}`);
  }
}

/**
 * Load the gateway config: the YAML file at `NOTIFY_CONFIG` (optional), `${ENV}` interpolation,
 * then `NOTIFY_*` overrides, then validation. Throws ConfigError naming the bad key's path.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let raw: unknown = {};
  const file = env.NOTIFY_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError('NOTIFY_CONFIG', `cannot read ${file}: ${(error as Error).message}`);
    }
    raw = parseConfigYaml(text, file) ?? {};
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('(root)', 'must be a mapping');
  }
  const interpolated = interpolateEnv(raw, env) as Record<string, unknown>;
  applyEnvOverrides(interpolated, env);
  return parseGatewayConfig(interpolated);
}
