// Fails when src/gen differs from what `buf generate` produces from proto/ (generated code is committed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const out = mkdtempSync(join(tmpdir(), 'ngw-gen-'));
execFileSync('npx', ['buf', 'generate', '--output', out], { stdio: 'inherit' });

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

const fresh = files(join(out, 'src/gen'))
  .map((f) => relative(join(out, 'src/gen'), f))
  .sort();
const committed = files('src/gen')
  .map((f) => relative('src/gen', f))
  .sort();
const stale = fresh.filter(
  (f) =>
    !committed.includes(f) ||
    readFileSync(join(out, 'src/gen', f), 'utf8') !== readFileSync(join('src/gen', f), 'utf8'),
);
const extra = committed.filter((f) => !fresh.includes(f));
if (stale.length || extra.length) {
  console.error(`src/gen is out of date (run npm run generate): ${[...stale, ...extra].join(', ')}`);
  process.exit(1);
}
console.log('src/gen is up to date');
