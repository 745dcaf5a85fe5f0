/**
 * Serves the dashboard: its own files and the Preact/htm ES modules from the package's dependencies,
 * under a strict CSP. The page's one inline script is its import map, allowed by its sha256 hash.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Hono } from 'hono';

export interface StaticOptions {
  /** directory with index.html, the dashboard's modules and style.css */
  dashboardDir: string;
  /** URL path under /vendor/ → absolute file path (preact, htm ESM builds) */
  vendor: Record<string, string>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** Only flat, plain file names are served from the dashboard directory (no dot files, no folders). */
const ASSET_NAME = /^[a-z0-9][a-z0-9._-]*\.(js|css|svg)$/;

export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
  const scripts = ["'self'", ...scriptHashes.map((h) => `'${h}'`)].join(' ');
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** sha256 CSP sources of the inline import maps in `html`, hashed over their exact text. */
export function importMapHashes(html: string): string[] {
  const re = /<script type="importmap">([\s\S]*?)<\/script>/g;
  return [...html.matchAll(re)].map(
    (m) =>
      `sha256-${createHash('sha256')
        .update(m[1] ?? '', 'utf8')
        .digest('base64')}`,
  );
}

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function registerStatic(app: Hono, opts: StaticOptions): void {
  const respond = (body: string | Buffer, path: string, csp: string): Response => {
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    return new Response(body, {
      headers: { 'content-type': type, 'content-security-policy': csp, ...BASE_HEADERS },
    });
  };
  const serve = async (path: string): Promise<Response> =>
    respond(await readFile(path), path, contentSecurityPolicy([]));
  // read per request so an edited index.html and its hash can never disagree
  const page = async (): Promise<Response> => {
    const path = join(opts.dashboardDir, 'index.html');
    const html = await readFile(path, 'utf8');
    return respond(html, path, contentSecurityPolicy(importMapHashes(html)));
  };
  app.get('/', page);
  app.get('/unit/:chunk', page);
  app.get('/vendor/:file', async (c) => {
    const target = opts.vendor[c.req.param('file')];
    return target ? serve(target) : c.notFound();
  });
  app.get('/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (!ASSET_NAME.test(file)) return c.notFound();
    try {
      return await serve(join(opts.dashboardDir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return c.notFound();
      throw error;
    }
  });
}
