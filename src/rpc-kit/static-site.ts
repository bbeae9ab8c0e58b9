import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponse, HttpRouteHandler } from './transport/request-handler.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Strict by default: only this origin's scripts, styles, images and fetches; no inline script, no
 * framing, no plugins. A single-page app built as files needs nothing more.
 */
export const STRICT_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly contentType: string;
  readonly etag: string;
}

/** Options of {@link staticSite}. */
export interface StaticSiteOptions {
  /** URL path the site is served under, with a trailing slash (`/console/`). */
  readonly prefix: string;
  /** Directory of built files; read once, when the route is made. */
  readonly dir: string;
  /**
   * Served for any path under the prefix that is not a file, so deep links of a single-page app
   * (`/console/notifications/<id>`) load the app, which routes on the client.
   */
  readonly fallback: string;
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const full = path.join(folder, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const body = readFileSync(full);
      const contentType = CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream';
      // Compressed once at boot: the bundle is small and served to every operator page load.
      const compressible = /^(text\/|application\/json|image\/svg)/.test(contentType) && body.length > 1024;
      assets.set(path.relative(dir, full).split(path.sep).join('/'), {
        body,
        gzip: compressible ? gzipSync(body, { level: 9 }) : undefined,
        contentType,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      });
    }
  };
  walk(dir);
  return assets;
}

function send(req: HttpRequest, res: HttpResponse, asset: Asset, immutable: boolean): void {
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    'content-security-policy': STRICT_CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag: asset.etag,
    vary: 'accept-encoding',
  };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = asset.gzip && acceptsGzip ? asset.gzip : asset.body;
  if (body === asset.gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/**
 * Serves a directory of built files (a single-page app) from memory under `prefix`: GET and HEAD
 * only, gzip when accepted, ETags, a strict Content-Security-Policy on every answer. Throws when
 * `dir` or its fallback file is missing, so a broken build fails at boot, not in a browser.
 */
export function staticSite(options: StaticSiteOptions): HttpRouteHandler {
  const assets = readAssets(options.dir);
  const fallback = assets.get(options.fallback);
  if (!fallback) throw new Error(`${options.fallback} is missing from ${options.dir}`);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const url = (req.url ?? '').split('?', 1)[0] ?? '';
    if (!url.startsWith(options.prefix)) {
      // The bare prefix without its slash: relative asset URLs need the slash to resolve.
      res.writeHead(308, { location: options.prefix });
      res.end();
      return;
    }
    const file = url.slice(options.prefix.length);
    const asset = assets.get(file);
    // Hashed bundle names never change content, so they may be cached for good.
    if (asset) send(req, res, asset, /\.[0-9a-z]{8,}\.(js|css)$/i.test(file));
    else send(req, res, fallback, false);
  };
}
