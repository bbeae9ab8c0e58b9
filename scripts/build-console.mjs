// Builds the operator console (console/) into dist/console: one hashed ES module bundle and one
// hashed stylesheet, referenced from index.html by <script src> and <link> (no inline script, so
// the strict Content-Security-Policy holds). Prints the gzipped size; fails above the budget.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'console');
/** The budget for the whole console, gzipped. */
const BUDGET_GZIP_BYTES = 250 * 1024;

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: [path.join(root, 'console', 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir,
  entryNames: 'app.[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) =>
  path.relative(outdir, path.join(root, file)),
);
const script = outputs.find((file) => file.endsWith('.js'));
const style = outputs.find((file) => file.endsWith('.css'));
if (!script || !style) throw new Error(`console build produced ${outputs.join(', ')}`);
const html = readFileSync(path.join(root, 'console', 'index.html'), 'utf8')
  .replace('<!-- build: styles -->', `<link rel="stylesheet" href="/console/${style}" />`)
  .replace('<!-- build: scripts -->', `<script type="module" src="/console/${script}"></script>`);
writeFileSync(path.join(outdir, 'index.html'), html);

const gzipped = [script, style, 'index.html'].reduce(
  (sum, file) => sum + gzipSync(readFileSync(path.join(outdir, file)), { level: 9 }).length,
  0,
);
console.log(`console: ${script}, ${style}: ${(gzipped / 1024).toFixed(1)} KiB gzipped (budget 250 KiB)`);
if (gzipped > BUDGET_GZIP_BYTES) {
  console.error('console: over the 250 KiB gzipped budget');
  process.exit(1);
}
