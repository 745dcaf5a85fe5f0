/**
 * Serves the dashboard: its own files and the ES modules of its npm dependencies (Preact, htm, the
 * Markdown parser), under a strict CSP. The page's one inline script is its import map, generated
 * from the module graph (browser-modules.ts) and allowed by its sha256 hash.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Hono } from 'hono';
import { type BrowserModules, VENDOR_PREFIX } from './browser-modules.js';

export interface StaticOptions {
  /** directory with index.html, the dashboard's modules and style.css */
  dashboardDir: string;
  /** the import map and the only files served under /vendor/ */
  modules: BrowserModules;
}

/** index.html's empty import map, which the page handler fills from the module graph */
export const IMPORT_MAP_SLOT = '<script type="importmap">{}</script>';

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

/**
 * index.html with the import map in its slot. `<` is escaped so no specifier can close the script.
 * @throws when the slot is missing, rather than serving a page whose modules cannot load
 */
export function withImportMap(html: string, imports: Record<string, string>): string {
  if (!html.includes(IMPORT_MAP_SLOT)) throw new Error(`index.html has no ${IMPORT_MAP_SLOT}`);
  const json = JSON.stringify({ imports }).replace(/</g, '\\u003c');
  return html.replace(IMPORT_MAP_SLOT, () => `<script type="importmap">${json}</script>`);
}

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
/** the page and the dashboard's own files: revalidated, so an upgrade shows at once */
const FRESH = 'no-cache';
/** npm files under a versioned URL: a published version never changes */
const FOREVER = 'public, max-age=31536000, immutable';

export function registerStatic(app: Hono, opts: StaticOptions): void {
  const respond = (body: string | Buffer, path: string, csp: string, cache = FRESH): Response => {
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    return new Response(body, {
      headers: {
        'content-type': type,
        'content-security-policy': csp,
        'cache-control': cache,
        ...BASE_HEADERS,
      },
    });
  };
  const serve = async (path: string): Promise<Response> =>
    respond(await readFile(path), path, contentSecurityPolicy([]));
  // read per request so an edited index.html and its hash can never disagree
  const page = async (): Promise<Response> => {
    const path = join(opts.dashboardDir, 'index.html');
    const html = withImportMap(await readFile(path, 'utf8'), opts.modules.imports);
    return respond(html, path, contentSecurityPolicy(importMapHashes(html)));
  };
  app.get('/', page);
  app.get('/unit/:chunk', page);
  // an exact look-up in the module graph: no path is ever built from the request
  app.get(`${VENDOR_PREFIX}*`, async (c) => {
    const target = opts.modules.files.get(c.req.path);
    return target ? respond(target.source, target.path, contentSecurityPolicy([]), FOREVER) : c.notFound();
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
