import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { repoRoot } from '../../test/support/agent-fixtures.js';
import { contentSecurityPolicy, importMapHashes, registerStatic } from './static.js';

const root = repoRoot();
const dashboardDir = join(root, 'src', 'dashboard');

function app(): Hono {
  const a = new Hono();
  registerStatic(a, {
    dashboardDir,
    vendor: { 'preact.mjs': join(root, 'node_modules', 'preact', 'dist', 'preact.mjs') },
  });
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
    for (const target of Object.values(mapped.imports))
      assert.match(target, /^\/vendor\/[a-z]+\.mjs$/, 'modules come from the daemon only');
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
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(await js.text(), readFileSync(join(dashboardDir, 'app.js'), 'utf8'));
    assert.match((await a.request('/assets/style.css')).headers.get('content-type') ?? '', /^text\/css/);
    for (const path of [
      '/assets/tsconfig.json',
      '/assets/index.html',
      '/assets/..%2Fapi%2Fstatic.ts',
      '/assets/.hidden.js',
      '/assets/nope.js',
      '/vendor/other.mjs',
    ]) {
      assert.equal((await a.request(path)).status, 404, path);
    }
    const vendor = await a.request('/vendor/preact.mjs');
    assert.equal(vendor.status, 200);
    assert.match(vendor.headers.get('content-type') ?? '', /^text\/javascript/);
  });
});
