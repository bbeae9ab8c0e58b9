import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_NODE_FLAGS } from '../../bench/gateway-launcher.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('shipped V8 heap flags', () => {
  it('are the same in the Dockerfile, npm start and the benchmark', () => {
    const flags = SHIPPED_NODE_FLAGS.join(' ');
    expect(read('Dockerfile')).toContain(`ENV NODE_OPTIONS="${flags}"`);
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe(`exec node ${flags} dist/src/cli.js all`);
  });
});
