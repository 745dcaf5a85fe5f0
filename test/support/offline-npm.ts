/**
 * npm projects that install without a network: packages packed into tarballs, an npm cache filled
 * with them, and a package-lock.json whose entries look as if they came from the registry (resolved
 * URL + integrity), so `npm ci` takes them from the cache by integrity. Used by the dependency tests
 * and bench/worktree-deps.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Tarball {
  name: string;
  version: string;
  file: string;
  integrity: string;
  dependencies?: Record<string, string>;
}

/** A package folder packed as npm publishes it (a gzipped tar under `package/`), nested node_modules left out. */
export function packFolder(
  dir: string,
  outDir: string,
  pkg: { name: string; version: string; dependencies?: Record<string, string> },
): Tarball {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${pkg.name.replace('/', '-')}-${pkg.version}.tgz`);
  const args = ['-czf', file, '--exclude=./node_modules', '--transform', 's,^\\.,package,', '-C', dir, '.'];
  execFileSync('tar', args);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  return { ...pkg, file, integrity };
}

/** A small package with `files` (package.json is written for it), packed into `outDir`. */
export function makeTarball(
  outDir: string,
  name: string,
  version: string,
  files: Record<string, string>,
): Tarball {
  const dir = mkdtempSync(join(tmpdir(), 've-pkg-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return packFolder(dir, outDir, { name, version });
}

/** Puts the tarballs into the npm cache at `cacheDir` (one npm call). */
export function fillNpmCache(cacheDir: string, tarballs: readonly Tarball[]): void {
  execFileSync('npm', ['cache', 'add', '--cache', cacheDir, ...tarballs.map((t) => t.file)], {
    stdio: 'ignore',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

export interface LockedDependency {
  /** the folder under node_modules (an alias for aliased dependencies) */
  path: string;
  tarball: Tarball;
}

/** A lockfile v3 for `root` whose entries name registry URLs and the tarballs' integrity. */
export function lockfileFor(
  root: { name: string; version: string; dependencies: Record<string, string> },
  locked: readonly LockedDependency[],
): string {
  const packages: Record<string, unknown> = { '': root };
  for (const { path, tarball: t } of locked) {
    const alias = path.replace(/^.*node_modules\//, '') !== t.name;
    const base = t.name.split('/').pop();
    packages[path] = {
      ...(alias ? { name: t.name } : {}),
      version: t.version,
      resolved: `https://registry.npmjs.org/${t.name}/-/${base}-${t.version}.tgz`,
      integrity: t.integrity,
      ...(t.dependencies ? { dependencies: t.dependencies } : {}),
    };
  }
  const lock = { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages };
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/**
 * Writes package.json, package-lock.json, an `.npmrc` that forbids the network (a cache miss fails
 * instead of downloading) and a .gitignore into `dir`, depending on `tarballs` by their names.
 */
export function writeOfflineNpmProject(
  dir: string,
  tarballs: readonly Tarball[],
  manifest: Record<string, unknown> = {},
): void {
  const dependencies = Object.fromEntries(tarballs.map((t) => [t.name, t.version]));
  const root = { name: 'offline-app', version: '1.0.0', dependencies };
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ ...root, private: true, ...manifest }, null, 2)}\n`,
  );
  const locked = tarballs.map((t) => ({ path: `node_modules/${t.name}`, tarball: t }));
  writeFileSync(join(dir, 'package-lock.json'), lockfileFor(root, locked));
  writeFileSync(join(dir, '.npmrc'), 'offline=true\naudit=false\nfund=false\nupdate-notifier=false\n');
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n.ve/\n');
}
