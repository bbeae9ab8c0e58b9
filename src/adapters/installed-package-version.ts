import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The version of the installed npm package `name`, read from its package.json (found by walking up
 * from its resolved entry, since `exports` hides `name/package.json`); undefined when not found.
 * Used to check the library patches against the version they were written for.
 */
export function installedPackageVersion(name: string): string | undefined {
  let directory: string;
  try {
    directory = path.dirname(require.resolve(name));
  } catch {
    return undefined;
  }
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === name && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No (readable) package.json here: keep climbing.
    }
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
