import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { init, parse } from 'es-module-lexer';
import { repoRoot } from '../../test/support/agent-fixtures.js';
import { collectBrowserModules, entryOf, splitSpecifier } from './browser-modules.js';

const dashboardDir = join(repoRoot(), 'src', 'dashboard');
const version = (name: string) =>
  (
    JSON.parse(readFileSync(join(repoRoot(), 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A project dir with `app/app.js` and the given files under it (package.json values as objects). */
function project(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 've-modules-'));
  temps.push(dir);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return dir;
}

describe('the dashboard module graph', () => {
  it('resolves every import of every file it serves, as a browser with its import map would', async () => {
    const { imports, files } = await collectBrowserModules(dashboardDir);
    await init();
    const unresolved: string[] = [];
    for (const [url, file] of files) {
      const [found] = parse(readFileSync(file.path, 'utf8'));
      for (const i of found) {
        if (i.type === 'import-meta' || i.specifier === undefined) continue;
        const target = i.specifier.startsWith('.')
          ? new URL(i.specifier, `http://x${url}`).pathname
          : imports[i.specifier];
        if (!target || !files.has(target)) unresolved.push(`${url} → ${i.specifier}`);
      }
    }
    assert.deepEqual(unresolved, []);
    assert.ok(files.size > 50, `${files.size} files`);
  });

  it('takes the browser or default build, never a development or Node one', async () => {
    const { imports, files } = await collectBrowserModules(dashboardDir);
    assert.equal(
      imports['decode-named-character-reference'],
      `/vendor/decode-named-character-reference@${version('decode-named-character-reference')}/index.dom.js`,
    );
    assert.equal(imports.micromark, `/vendor/micromark@${version('micromark')}/index.js`);
    assert.equal(imports.devlop, `/vendor/devlop@${version('devlop')}/lib/default.js`);
    assert.equal(imports.htm, `/vendor/htm@${version('htm')}/dist/htm.module.js`);
    const urls = [...files.keys()];
    assert.deepEqual(
      urls.filter((u) => /\/dev\/|development/.test(u)),
      [],
    );
    assert.ok(!urls.some((u) => u.startsWith('/vendor/character-entities/')), 'the DOM decodes entities');
  });

  it('splits specifiers and reads exports under browser conditions', () => {
    assert.deepEqual(splitSpecifier('preact/hooks'), { name: 'preact', subpath: './hooks' });
    assert.deepEqual(splitSpecifier('@scope/pkg/a/b'), { name: '@scope/pkg', subpath: './a/b' });
    assert.deepEqual(splitSpecifier('htm'), { name: 'htm', subpath: '.' });
    const pkg = {
      name: 'p',
      exports: {
        '.': { node: './node.js', development: './dev.js', browser: './browser.js', default: './index.js' },
        './extra': { development: './dev-extra.js', default: './extra.js' },
      },
    };
    assert.equal(entryOf(pkg, '.'), './browser.js');
    assert.equal(entryOf(pkg, './extra'), './extra.js');
    assert.throws(() => entryOf(pkg, './missing'), /Missing "\.\/missing" specifier in "p" package/);
    assert.equal(entryOf({ name: 'q', module: 'm.js', main: 'c.js' }, '.'), './m.js');
    assert.equal(entryOf({ name: 'q', browser: 'b.js', main: 'c.js' }, '.'), './b.js');
    assert.throws(() => entryOf({ name: 'q', browser: { './a.js': false } }, '.'), /no browser entry/);
  });

  it('maps a project of its own: app imports, relative files, nested packages', async () => {
    const dir = project({
      'app/app.js': "import { a } from 'a';\nimport './local.js';\n",
      'app/local.js': 'export const x = 1;\n',
      'node_modules/a/package.json': {
        name: 'a',
        version: '1.0.0',
        type: 'module',
        exports: { '.': './lib/index.js' },
      },
      'node_modules/a/lib/index.js':
        "import { b } from 'b';\nexport { c } from './c.js';\nexport const a = b;\n",
      'node_modules/a/lib/c.js': 'export const c = await import("./d.js");\n',
      'node_modules/a/lib/d.js': 'export default import.meta.url;\n',
      'node_modules/b/package.json': { name: 'b', version: '1.0.0', main: 'b.mjs' },
      'node_modules/b/b.mjs': 'export const b = 2;\n',
      'node_modules/unused/package.json': { name: 'unused', version: '1.0.0', main: 'index.js' },
      'node_modules/unused/index.js': 'export const u = 3;\n',
    });
    const { imports, files } = await collectBrowserModules(join(dir, 'app'));
    assert.deepEqual(imports, { a: '/vendor/a@1.0.0/lib/index.js', b: '/vendor/b@1.0.0/b.mjs' });
    assert.deepEqual([...files.keys()].sort(), [
      '/vendor/a@1.0.0/lib/c.js',
      '/vendor/a@1.0.0/lib/d.js',
      '/vendor/a@1.0.0/lib/index.js',
      '/vendor/b@1.0.0/b.mjs',
    ]);
    assert.deepEqual(files.get('/vendor/b@1.0.0/b.mjs'), {
      path: join(dir, 'node_modules', 'b', 'b.mjs'),
      source: 'export const b = 2;\n',
    });
  });

  const refused: [string, Record<string, string | object>, RegExp][] = [
    [
      'a Node built-in',
      {
        'app/app.js': "import 'n';\n",
        'node_modules/n/package.json': {
          name: 'n',
          version: '1.0.0',
          exports: { node: './n.js', default: './n.js' },
        },
        'node_modules/n/n.js': "import { readFileSync } from 'node:fs';\nexport const n = readFileSync;\n",
      },
      /n\.js imports node:fs, a Node built-in the browser does not have/,
    ],
    ['a bare built-in', { 'app/app.js': "import 'path';\n" }, /app\.js imports path, a Node built-in/],
    [
      'a missing package',
      { 'app/app.js': "import 'gone';\n" },
      /app\.js imports gone, which is not installed/,
    ],
    [
      'a missing file',
      {
        'app/app.js': "import 'm';\n",
        'node_modules/m/package.json': { name: 'm', version: '1.0.0', exports: './x.js' },
      },
      /m names \.\/x\.js for \., which does not exist/,
    ],
    [
      'a relative import out of its package',
      {
        'app/app.js': "import 'o';\n",
        'node_modules/o/package.json': { name: 'o', version: '1.0.0', exports: './o.js' },
        'node_modules/o/o.js': "export * from '../p/p.js';\n",
        'node_modules/p/p.js': 'export const p = 1;\n',
      },
      /o\.js imports \.\.\/p\/p\.js, outside package o/,
    ],
    [
      'CommonJS',
      {
        'app/app.js': "import 'c';\n",
        'node_modules/c/package.json': { name: 'c', version: '1.0.0', main: 'c.js' },
        'node_modules/c/c.js': "module.exports = require('x');\n",
      },
      /c\.js is not an ES module/,
    ],
    [
      'a computed import',
      {
        'app/app.js': "import 'd';\n",
        'node_modules/d/package.json': { name: 'd', version: '1.0.0', exports: './d.js' },
        'node_modules/d/d.js': 'const name = "x";\nexport default import(name);\n',
      },
      /d\.js imports a computed specifier/,
    ],
    [
      'a package without a version',
      {
        'app/app.js': "import 'v';\n",
        'node_modules/v/package.json': { name: 'v', exports: './v.js' },
        'node_modules/v/v.js': 'export const v = 1;\n',
      },
      /v \(.*\) has no version to name its files by/,
    ],
    [
      'a version that is not one',
      {
        'app/app.js': "import 'v';\n",
        'node_modules/v/package.json': { name: 'v', version: '../../x', exports: './v.js' },
        'node_modules/v/v.js': 'export const v = 1;\n',
      },
      /v \(.*\) has no version to name its files by/,
    ],
    [
      'a URL',
      { 'app/app.js': "import 'https://cdn.example/x.js';\n" },
      /only npm packages and relative files are served/,
    ],
    [
      'two copies of one package',
      {
        'app/app.js': "import 'dup';\nimport 'q';\n",
        'node_modules/dup/package.json': { name: 'dup', version: '1.0.0', exports: './v1.js' },
        'node_modules/dup/v1.js': 'export const v = 1;\n',
        'node_modules/q/package.json': { name: 'q', version: '1.0.0', exports: './q.js' },
        'node_modules/q/q.js': "export * from 'dup';\n",
        'node_modules/q/node_modules/dup/package.json': { name: 'dup', version: '2.0.0', exports: './v2.js' },
        'node_modules/q/node_modules/dup/v2.js': 'export const v = 2;\n',
      },
      /two copies of dup .*: the import map can hold one/,
    ],
  ];
  for (const [what, files, error] of refused) {
    it(`refuses ${what}`, async () => {
      await assert.rejects(collectBrowserModules(join(project(files), 'app')), error);
    });
  }

  it('refuses an entry that a symlink leads out of its package', async () => {
    const dir = project({
      'app/app.js': "import 's';\n",
      'node_modules/s/package.json': { name: 's', version: '1.0.0', exports: './s.js' },
      'secret.js': 'export const s = 1;\n',
    });
    symlinkSync(join(dir, 'secret.js'), join(dir, 'node_modules', 's', 's.js'));
    await assert.rejects(
      collectBrowserModules(join(dir, 'app')),
      /s's entry \.\/s\.js lies outside the package/,
    );
  });
});
