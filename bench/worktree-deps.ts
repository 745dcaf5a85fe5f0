/**
 * Issue 11 §4: time and disk for the dependencies of N worktrees of one npm project with a sizeable
 * node_modules — ve's setup (one `npm ci` per lockfile, then a clone or hard links of it per worktree;
 * and the `copy` mode) against the floor, a plain `npm ci` in each worktree, measured in the same run.
 * Offline: packages of this repository's own node_modules packed into tarballs, an npm cache filled
 * with them (a warm cache for every variant, the floor included), a registry-style lockfile.
 * Run: `node dist/bench/worktree-deps.js [worktrees=10] [copies=4]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { projectPaths } from '../src/config/paths.js';
import { DEFAULT_CONFIG } from '../src/config/schema.js';
import { packageCacheEnv } from '../src/domain/package-caches.js';
import { prepareDependencies } from '../src/git/worktree-deps.js';
import { silentLogger } from '../src/infra/json-logger.js';
import type { DependencyConfig } from '../src/ports/dependencies.js';
import {
  fillNpmCache,
  type LockedDependency,
  lockfileFor,
  packFolder,
  type Tarball,
} from '../test/support/offline-npm.js';
import { benchGit } from './git-floor.js';
import { type Row, renderTable } from './lib/table.js';

const REPO = resolve(import.meta.dirname, '..', '..');
/** Pure-JS packages of this repository with their dependency closure (no platform binaries). */
const ROOTS = [
  'zod',
  'hono',
  'playwright-core',
  'yaml',
  'fast-check',
  '@types/node',
  'commander',
  'preact',
  'ajv',
  '@modelcontextprotocol/sdk',
  'htm',
  'semver',
];

/** What `check.mjs` imports in every worktree (@types/node has no code; the MCP SDK only subpaths). */
const ENTRY_POINTS = [
  ...ROOTS.filter((r) => r !== '@types/node' && r !== '@modelcontextprotocol/sdk'),
  '@modelcontextprotocol/sdk/client/index.js',
];

export interface Variant {
  /** wall time of each worktree's setup, in order */
  ms: number[];
  /** KiB on disk for all node_modules of the variant (and ve's template), hard links counted once */
  diskKiB: number;
}

export interface WorktreeDepsResult {
  worktrees: number;
  packages: number;
  files: number;
  /** KiB of one node_modules */
  oneKiB: number;
  /** how ve made the node_modules of a worktree here ('clone' or 'hardlink' or 'copy') */
  method: string;
  floor: Variant;
  shared: Variant;
  copied: Variant;
}

type LockEntry = { version: string; dependencies?: Record<string, string> };

/** The lock entries of ROOTS and everything they depend on, from this repository's lockfile. */
function closure(): Map<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')).packages as Record<
    string,
    LockEntry
  >;
  const seen = new Map<string, LockEntry>();
  const visit = (name: string, from: string) => {
    // node's lookup: the nearest node_modules/<name> up from the dependent
    for (let at = from; ; at = at.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
      const path = `${at ? `${at}/` : ''}node_modules/${name}`;
      const entry = lock[path];
      if (entry) {
        if (seen.has(path)) return;
        seen.set(path, entry);
        for (const dep of Object.keys(entry.dependencies ?? {})) visit(dep, path);
        return;
      }
      if (at === '') throw new Error(`${name} is not in ${REPO}/package-lock.json`);
    }
  };
  for (const r of ROOTS) visit(r, '');
  return seen;
}

/** A git project whose package.json depends on ROOTS `copies` times (npm aliases), and its npm cache. */
async function makeFixture(copies: number): Promise<{ root: string; packages: number }> {
  const root = mkdtempSync(join(tmpdir(), 've-bench-deps-'));
  const tarballDir = join(root, '..', `${root.split('/').pop()}-tarballs`);
  const locked: LockedDependency[] = [];
  const tarballs = new Map<string, Tarball>();
  const packed = new Map<string, Tarball>();
  for (const [path, entry] of closure()) {
    const name = path.replace(/^.*node_modules\//, '');
    // one tarball per name@version, however many places it is installed at
    const id = `${name}@${entry.version}`;
    const deps = entry.dependencies ? { dependencies: entry.dependencies } : {};
    const t =
      packed.get(id) ?? packFolder(join(REPO, path), tarballDir, { name, version: entry.version, ...deps });
    packed.set(id, t);
    if (path === `node_modules/${name}`) tarballs.set(name, t);
    locked.push({ path, tarball: t });
  }
  const dependencies: Record<string, string> = {};
  for (let c = 0; c < copies; c++) {
    for (const r of ROOTS) {
      const t = tarballs.get(r) as Tarball;
      if (c === 0) dependencies[r] = t.version;
      else {
        const alias = `copy${c}-${r.replace('@', '').replace('/', '-')}`;
        dependencies[alias] = `npm:${r}@${t.version}`;
        locked.push({ path: `node_modules/${alias}`, tarball: t });
      }
    }
  }
  const manifest = { name: 'bench-app', version: '1.0.0', dependencies };
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ ...manifest, private: true }, null, 2)}\n`);
  writeFileSync(join(root, 'package-lock.json'), lockfileFor(manifest, locked));
  writeFileSync(join(root, '.npmrc'), 'offline=true\naudit=false\nfund=false\nupdate-notifier=false\n');
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n.ve/\n');
  writeFileSync(
    join(root, 'check.mjs'),
    `for (const s of ${JSON.stringify(ENTRY_POINTS)}) await import(s);\n`,
  );
  await benchGit(['init', '--quiet', '-b', 'main'], root);
  await benchGit(['add', '-A'], root);
  await benchGit(['commit', '--quiet', '-m', 'bench app'], root);
  fillNpmCache(join(projectPaths(root).cacheDir, 'npm'), [...packed.values()]);
  rmSync(tarballDir, { recursive: true, force: true });
  return { root, packages: locked.length };
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** KiB used by all `dirs` together (one `du`: a hard-linked file counts once). */
function diskKiB(dirs: string[]): number {
  const out = execFileSync('du', ['-sk', '-c', ...dirs], { encoding: 'utf8' });
  return Number(/^(\d+)\s+total$/m.exec(out)?.[1] ?? Number.NaN);
}

/** Every root package loads in the worktree: the node_modules works, not just exists. */
function check(worktree: string): void {
  execFileSync('node', ['check.mjs'], { cwd: worktree, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function addWorktrees(root: string, prefix: string, n: number): Promise<string[]> {
  const dirs: string[] = [];
  for (let i = 0; i < n; i++) {
    const dir = join(root, '.ve', 'bench', `${prefix}-${i}`);
    await benchGit(['worktree', 'add', '--quiet', '--detach', dir, 'main'], root);
    dirs.push(dir);
  }
  return dirs;
}

export async function measureWorktreeDeps(worktrees = 10, copies = 4): Promise<WorktreeDepsResult> {
  const { root, packages } = await makeFixture(copies);
  const paths = projectPaths(root);
  try {
    // the floor: plain `npm ci` in each worktree, with the same warm cache
    const env = { ...process.env, ...packageCacheEnv(paths.cacheDir) };
    // one unmeasured install first, so no variant pays for reading the cache into memory
    const [warm] = await addWorktrees(root, 'warm-up', 1);
    execFileSync('npm', ['ci'], { cwd: warm, env, stdio: 'ignore' });
    rmSync(join(warm as string, 'node_modules'), { recursive: true, force: true });
    const floorDirs = await addWorktrees(root, 'floor', worktrees);
    const floor: number[] = [];
    for (const dir of floorDirs) {
      floor.push(await timed(() => execFileSync('npm', ['ci'], { cwd: dir, env, stdio: 'ignore' })));
      check(dir);
    }
    const ve = async (prefix: string, sharing: DependencyConfig['node_modules_sharing']) => {
      const dirs = await addWorktrees(root, prefix, worktrees);
      const config = { ...DEFAULT_CONFIG, node_modules_sharing: sharing };
      const ms: number[] = [];
      for (const dir of dirs) {
        ms.push(
          await timed(() => prepareDependencies(dir, { config, paths, log: silentLogger, stateFile: null })),
        );
        check(dir);
      }
      return { dirs, ms };
    };
    const shared = await ve('shared', 'auto');
    const copied = await ve('copied', 'copy');
    const nm = (dirs: string[]) => dirs.map((d) => join(d, 'node_modules'));
    const first = join(floorDirs[0] as string, 'node_modules');
    const probe = join(shared.dirs[0] as string, 'node_modules', 'zod', 'package.json');
    const files = execFileSync('find', [first, '-type', 'f'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    return {
      worktrees,
      packages,
      files: files.split('\n').filter(Boolean).length,
      oneKiB: diskKiB([first]),
      // a file shared with the template through hard links has more than one
      method: statSync(probe).nlink > 1 ? 'hard links' : 'clones',
      floor: { ms: floor, diskKiB: diskKiB(nm(floorDirs)) },
      shared: { ms: shared.ms, diskKiB: diskKiB([...nm(shared.dirs), paths.depsDir]) },
      copied: { ms: copied.ms, diskKiB: diskKiB(nm(copied.dirs)) },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : sum(xs) / xs.length);
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

export function worktreeDepsRows(group: string, r: WorktreeDepsResult): Row[] {
  const n = r.worktrees;
  const floorTotal = sum(r.floor.ms);
  const what = `${n} worktrees, ${r.packages} packages, ${r.files} files, ${mib(r.oneKiB)} per node_modules`;
  return [
    {
      group,
      measure: `deps floor: plain npm ci in each of ${n} worktrees (warm cache), total`,
      value: floorTotal / 1000,
      unit: 's',
      note: `${what}; ${(mean(r.floor.ms) / 1000).toFixed(2)} s each; disk ${mib(r.floor.diskKiB)}`,
    },
    {
      group,
      measure: `deps: ve shared node_modules (${r.method}) / floor, time for ${n} worktrees`,
      value: sum(r.shared.ms) / floorTotal,
      unit: '×',
      note: `${(sum(r.shared.ms) / 1000).toFixed(1)} s: the first (npm ci into the template) ${((r.shared.ms[0] ?? 0) / 1000).toFixed(1)} s, then ${mean(r.shared.ms.slice(1)).toFixed(0)} ms each`,
    },
    {
      group,
      measure: `deps: ve shared node_modules (${r.method}) / floor, disk for ${n} worktrees`,
      value: r.shared.diskKiB / r.floor.diskKiB,
      unit: '×',
      note: `${mib(r.shared.diskKiB)} incl. the template, against ${mib(r.floor.diskKiB)}`,
    },
    {
      group,
      measure: 'deps: ve copy mode / floor, time per worktree once the template exists',
      value: mean(r.copied.ms) / mean(r.floor.ms),
      unit: '×',
      note: `${mean(r.copied.ms).toFixed(0)} ms each; disk ${mib(r.copied.diskKiB)} (${(r.copied.diskKiB / r.floor.diskKiB).toFixed(2)}× the floor)`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [worktrees = 10, copies = 4] = process.argv.slice(2).map(Number);
  const r = await measureWorktreeDeps(worktrees, copies);
  console.log(renderTable(worktreeDepsRows('#11', r)));
}
