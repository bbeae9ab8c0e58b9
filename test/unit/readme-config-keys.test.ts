import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { gatewayConfigSchema } from '../../src/core/config/gateway-config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The schema under defaults and optionals. */
function unwrap(schema: z.ZodType): z.ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType };
  return (def.type === 'default' || def.type === 'optional') && def.innerType
    ? unwrap(def.innerType)
    : schema;
}

/** Documented names of every config key: `section.key`, or `section[]` for a list of objects. */
function keyNames(schema: z.ZodType, prefix = ''): string[] {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
  if (def.type === 'array') {
    const element = def.element ? unwrap(def.element)._zod.def.type : '';
    return [element === 'object' ? `${prefix}[]` : prefix];
  }
  if (def.type !== 'object' || !def.shape || prefix.includes('.')) return [prefix];
  return Object.entries(def.shape).flatMap(([key, child]) =>
    keyNames(child, prefix ? `${prefix}.${key}` : key),
  );
}

describe('README configuration table', () => {
  it('documents every config key the schema accepts', () => {
    const keys = keyNames(gatewayConfigSchema);
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((key) => !readme.includes(`\`${key}\``))).toEqual([]);
  });
});
