import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { repoRoot } from '../../test/support/agent-fixtures.js';
import { collectBrowserModules } from './browser-modules.js';
import {
  contentSecurityPolicy,
  IMPORT_MAP_SLOT,
  importMapHashes,
  registerStatic,
  withImportMap,
} from './static.js';

const root = repoRoot();
const dashboardDir = join(root, 'src', 'dashboard');
const modules = await collectBrowserModules(dashboardDir);

function app(): Hono {
  const a = new Hono();
  registerStatic(a, { dashboardDir, modules });
  return a;
}

describe('static dashboard files', () => {
  it('allows exactly the inline import map by its sha256 and nothing else inline', async () => {
    const res = await app().request('/');
    assert.equal(res.status, 200);
    const html = await res.text();
    const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
    assert.ok(map, 'index.html has an import map');
    const expected = `sha256-${createHash('sha256').update(map).digest('base64')}`;
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, new RegExp(`script-src 'self' '${expected.replace(/[+/=]/g, '\\$&')}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const mapped = JSON.parse(map) as { imports: Record<string, string> };
    assert.deepEqual(mapped.imports, modules.imports, 'the map is the module graph');
    for (const spec of [
      'preact',
      'preact/hooks',
      'htm',
      'mdast-util-from-markdown',
      'micromark-extension-gfm',
    ])
      assert.ok(mapped.imports[spec], spec);
    for (const target of Object.values(mapped.imports))
      assert.match(
        target,
        /^\/vendor\/[a-z0-9.-]+@\d+\.\d+\.\d+\/[\w./-]+\.m?js$/,
        'modules come from the daemon only',
      );
  });

  it('fills the import map slot, escaping what could close the script, and refuses a page without it', () => {
    const page = `<head>${IMPORT_MAP_SLOT}</head>`;
    assert.equal(
      withImportMap(page, { a: '/vendor/a/</script>.js' }),
      '<head><script type="importmap">{"imports":{"a":"/vendor/a/\\u003c/script>.js"}}</script></head>',
    );
    assert.throws(() => withImportMap('<head></head>', {}), /index\.html has no <script type="importmap">/);
  });

  it('hashes each import map over its exact text', () => {
    const html = '<script type="importmap">{"imports":{}}</script><script type="importmap">\n{}\n</script>';
    assert.deepEqual(importMapHashes(html), [
      `sha256-${createHash('sha256').update('{"imports":{}}').digest('base64')}`,
      `sha256-${createHash('sha256').update('\n{}\n').digest('base64')}`,
    ]);
    assert.match(contentSecurityPolicy(['sha256-x']), /script-src 'self' 'sha256-x';/);
  });

  it('serves the unit page route with the same document', async () => {
    const a = app();
    const [home, unit] = await Promise.all([a.request('/'), a.request('/unit/auth_login')]);
    assert.equal(await unit.text(), await home.text());
  });

  it('serves dashboard modules and styles with their types, and nothing outside the folder', async () => {
    const a = app();
    const js = await a.request('/assets/app.js');
    assert.equal(js.status, 200);
    assert.equal(
      js.headers.get('cache-control'),
      'no-cache',
      'the dashboard is revalidated: an upgrade shows',
    );
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(await js.text(), readFileSync(join(dashboardDir, 'app.js'), 'utf8'));
    assert.match((await a.request('/assets/style.css')).headers.get('content-type') ?? '', /^text\/css/);
    for (const path of [
      '/assets/tsconfig.json',
      '/assets/index.html',
      '/assets/..%2Fapi%2Fstatic.ts',
      '/assets/.hidden.js',
      '/assets/nope.js',
    ]) {
      assert.equal((await a.request(path)).status, 404, path);
    }
  });

  it('serves every file of the module graph and nothing else from node_modules', async () => {
    const a = app();
    for (const [url, file] of modules.files) {
      const res = await a.request(url);
      assert.equal(res.status, 200, url);
      assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/, url);
      assert.equal(await res.text(), readFileSync(file.path, 'utf8'), url);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', url);
    }
    const preact = modules.imports.preact ?? '';
    for (const path of [
      '/vendor/preact.mjs',
      `${preact.replace(/\/dist\/.*/, '')}/package.json`,
      `${preact.replace(/\/dist\/.*/, '')}/src/index.js`,
      '/vendor/preact/dist/preact.mjs',
      `${modules.imports.micromark?.replace(/\/index\.js$/, '')}/dev/index.js`,
      '/vendor/debug@4.4.3/src/index.js',
      '/vendor/typescript/lib/tsc.js',
      `${preact}/../../../../package.json`,
      `${preact.replace(/\/[^/]+$/, '')}/%2e%2e/%2e%2e/%2e%2e/package.json`,
      '/vendor/preact%2f..%2f..%2fpackage.json',
      `${preact}x`,
    ]) {
      assert.equal((await a.request(path)).status, 404, path);
    }
  });
});
