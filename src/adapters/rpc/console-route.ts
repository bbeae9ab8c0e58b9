import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../core/shared/logger.js';
import { staticSite } from '../../rpc-kit/static-site.js';
import type { HttpRouteHandler } from '../../rpc-kit/transport/request-handler.js';

/** The URL path of the operator console; its deep links are part of the public contract. */
export const CONSOLE_PATH = '/console/';

/**
 * The built console (`npm run build` writes dist/console): found from the package root, so the
 * same code serves it from dist/ in production and from the sources under vitest.
 */
export function builtConsoleDir(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) {
      const built = path.join(dir, 'dist', 'console');
      return existsSync(path.join(built, 'index.html')) ? built : undefined;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * `/console/*`: the operator console's static files, or, when it was not built, a 503 that says
 * how to build it (the RPCs keep working either way).
 */
export function consoleRoutes(logger: Logger): Record<string, HttpRouteHandler> {
  const dir = builtConsoleDir();
  if (dir === undefined) {
    logger.warn({ path: CONSOLE_PATH }, 'console assets not built (npm run build): /console/ answers 503');
    return {
      [`${CONSOLE_PATH}*`]: (_req, res) => {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The console is not built: run `npm run build`.\n');
      },
    };
  }
  return { [`${CONSOLE_PATH}*`]: staticSite({ prefix: CONSOLE_PATH, dir, fallback: 'index.html' }) };
}
