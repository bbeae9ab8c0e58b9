// Fails when src/gen or descriptors/notify.binpb differ from what `npm run generate` produces from
// proto/ (both are committed).
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
const descriptors = join(out, 'notify.binpb');
execFileSync('npx', ['buf', 'build', '-o', descriptors], { stdio: 'inherit' });
let committedDescriptors;
try {
  committedDescriptors = readFileSync('descriptors/notify.binpb');
} catch {
  committedDescriptors = Buffer.alloc(0);
}
if (!readFileSync(descriptors).equals(committedDescriptors)) stale.push('descriptors/notify.binpb');
if (stale.length || extra.length) {
  console.error(`generated files are out of date (run npm run generate): ${[...stale, ...extra].join(', ')}`);
  process.exit(1);
}
console.log('src/gen and descriptors/notify.binpb are up to date');
