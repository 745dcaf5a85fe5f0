/**
 * Shared node_modules with real npm, offline (a tarball in a filled cache): one `npm ci` per lockfile,
 * each checkout a clone or hard links of it, read-only shared files, the root package's own install
 * scripts per checkout, a template modified in place rebuilt, and projects that cannot share.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  fillNpmCache,
  makeTarball,
  type Tarball,
  writeOfflineNpmProject,
} from '../../test/support/offline-npm.js';
import { projectPaths } from '../config/paths.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { packageCacheEnv } from '../domain/package-caches.js';
import { createJsonLogger, silentLogger } from '../infra/json-logger.js';
import type { Logger } from '../ports/logger.js';
import { installSharedNodeModules, type ShareDeps, unshareableReason } from './node-modules-share.js';
import { runShellCommand } from './setup-command.js';
import { prepareDependencies } from './worktree-deps.js';

let root: string;
let tarball: Tarball;
const paths = () => projectPaths(root);
const templates = () => readdirSync(join(paths().depsDir, 'npm')).filter((n) => !n.startsWith('.'));
const depFile = (dir: string) => join(dir, 'node_modules', 've-dep-a', 'index.js');
let n = 0;

/** A new checkout of the offline project (`manifest` merged into its package.json). */
function checkout(manifest: Record<string, unknown> = {}): string {
  const dir = join(root, `w${++n}`);
  mkdirSync(dir);
  writeOfflineNpmProject(dir, [tarball], manifest);
  return dir;
}

function shareDeps(log: Logger = silentLogger): ShareDeps {
  const env = packageCacheEnv(paths().cacheDir);
  return { depsDir: paths().depsDir, log, run: (command, cwd) => runShellCommand(command, cwd, { env }) };
}

const answer = (dir: string) =>
  execFileSync('node', ['-e', "process.stdout.write(String(require('ve-dep-a').answer()))"], {
    cwd: dir,
    encoding: 'utf8',
  });

before(() => {
  root = mkdtempSync(join(tmpdir(), 've-share-'));
  tarball = makeTarball(join(root, 'tarballs'), 've-dep-a', '1.0.0', {
    'index.js': 'exports.answer = () => 42;\n',
  });
  fillNpmCache(join(paths().cacheDir, 'npm'), [tarball]);
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('installSharedNodeModules', () => {
  it('installs once per lockfile and gives each checkout the same files, read-only', async () => {
    const [a, b] = [checkout(), checkout()];
    const methods = [
      await installSharedNodeModules(a, 'auto', shareDeps()),
      await installSharedNodeModules(b, 'auto', shareDeps()),
    ];
    assert.equal(templates().length, 1, 'one template for one lockfile');
    assert.deepEqual([answer(a), answer(b)], ['42', '42']);
    const template = join(paths().depsDir, 'npm', templates()[0] as string);
    const [ta, tb, tt] = [a, b, template].map((d) => statSync(depFile(d)));
    if (methods[1] === 'hardlink') {
      assert.equal(ta?.ino, tt?.ino);
      assert.equal(tb?.ino, tt?.ino);
      assert.equal((tb?.mode ?? 0) & 0o222, 0, 'shared files are read-only');
      const hidden = statSync(join(b, 'node_modules', '.package-lock.json'));
      assert.equal(
        hidden.nlink,
        1,
        "npm's hidden lockfile, rewritten in place by npm, is the checkout's own",
      );
    } else {
      assert.equal(methods[1], 'clone', `on ${process.platform} the file system must clone`);
      assert.notEqual(tb?.ino, tt?.ino);
    }
  });

  it("runs the root package's own install scripts in each checkout, not in the template", async () => {
    const scripts = { postinstall: "node -e \"require('fs').writeFileSync('post.txt', 'ran')\"" };
    const [a, b] = [checkout({ scripts }), checkout({ scripts })];
    await installSharedNodeModules(a, 'auto', shareDeps());
    await installSharedNodeModules(b, 'auto', shareDeps());
    assert.equal(readFileSync(join(a, 'post.txt'), 'utf8'), 'ran');
    assert.equal(readFileSync(join(b, 'post.txt'), 'utf8'), 'ran');
    for (const t of templates()) assert.equal(existsSync(join(paths().depsDir, 'npm', t, 'post.txt')), false);
  });

  it('rebuilds a template whose files were modified in place, for the checkouts that follow', async () => {
    const a = checkout();
    await installSharedNodeModules(a, 'auto', shareDeps());
    const [key] = templates();
    const shared = depFile(join(paths().depsDir, 'npm', key as string));
    // what an in-place write through a hard link does (as root, or after a chmod)
    chmodSync(shared, 0o644);
    writeFileSync(shared, 'exports.answer = () => 0;\n');
    const lines: string[] = [];
    const b = checkout();
    await installSharedNodeModules(b, 'auto', shareDeps(createJsonLogger((l) => lines.push(l))));
    assert.equal(answer(b), '42');
    assert.ok(
      lines.some((l) => l.includes('modified in place; rebuilding the template')),
      lines.join(''),
    );
    assert.equal(readFileSync(shared, 'utf8'), 'exports.answer = () => 42;\n');
  });

  it('gives each checkout its own writable files in copy mode', async () => {
    const a = checkout();
    assert.equal(await installSharedNodeModules(a, 'copy', shareDeps()), 'copy');
    const own = statSync(depFile(a));
    assert.equal(own.nlink, 1);
    assert.notEqual(own.mode & 0o200, 0);
    assert.equal(answer(a), '42');
  });
});

describe('npm projects that cannot share', () => {
  it('names why: workspaces, local folders and files, old lockfiles', async () => {
    assert.match((await unshareableReason(checkout({ workspaces: ['packages/*'] }))) ?? '', /workspaces/);
    const local = checkout();
    const lock = JSON.parse(readFileSync(join(local, 'package-lock.json'), 'utf8'));
    lock.packages['node_modules/ve-dep-a'].resolved = 'file:../vendor/ve-dep-a-1.0.0.tgz';
    writeFileSync(join(local, 'package-lock.json'), JSON.stringify(lock));
    assert.match((await unshareableReason(local)) ?? '', /node_modules\/ve-dep-a is a local folder or file/);
    writeFileSync(join(local, 'package-lock.json'), JSON.stringify({ lockfileVersion: 1, dependencies: {} }));
    assert.match((await unshareableReason(local)) ?? '', /version 1 lockfile/);
    assert.equal(await unshareableReason(checkout()), null);
  });

  it('runs plain npm ci in the checkout instead', async () => {
    const before = existsSync(join(paths().depsDir, 'npm')) ? templates().length : 0;
    const dir = checkout({ workspaces: [] });
    const config = { ...DEFAULT_CONFIG };
    const r = await prepareDependencies(dir, { config, paths: paths(), log: silentLogger, stateFile: null });
    assert.equal(r.setup.command, 'npm ci');
    assert.equal(answer(dir), '42');
    assert.equal(statSync(depFile(dir)).nlink, 1);
    assert.equal(templates().length, before, 'no template was built');
  });
});
