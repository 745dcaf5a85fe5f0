/** Serves the dashboard: its own files and the Preact/htm ES modules from the package's dependencies. */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { Hono } from 'hono';

export interface StaticOptions {
  /** directory with index.html, app.js, style.css */
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

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function registerStatic(app: Hono, opts: StaticOptions): void {
  const serve = async (path: string): Promise<Response> => {
    const body = await readFile(path);
    return new Response(body, {
      headers: { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...SECURITY_HEADERS },
    });
  };
  app.get('/', () => serve(join(opts.dashboardDir, 'index.html')));
  app.get('/unit/:chunk', () => serve(join(opts.dashboardDir, 'index.html')));
  app.get('/vendor/:file', async (c) => {
    const target = opts.vendor[c.req.param('file')];
    return target ? serve(target) : c.notFound();
  });
  app.get('/assets/:file', async (c) => {
    const file = normalize(c.req.param('file'));
    if (file.includes('/') || file.startsWith('.')) return c.notFound();
    try {
      return await serve(join(opts.dashboardDir, file));
    } catch {
      return c.notFound();
    }
  });
}
