/**
 * One node_modules per lockfile, shared by every worktree of an npm project (issue 11 §4): `npm ci`
 * runs once in a template folder under `.ve/deps/npm/<key>`, and each worktree gets a copy-on-write
 * clone of it where the file system can (btrfs, XFS, APFS), hard links elsewhere, or a plain copy.
 * Hard links share file content, so the template's files are read-only, ve's tool gate gives a file
 * its own copy before an agent edits it, and a template whose files changed after it was built is
 * rebuilt (docs/dependencies.md has the trade-off).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../ports/logger.js';

/** How a worktree's node_modules was made from the template. */
export type ShareMethod = 'clone' | 'hardlink' | 'copy';

export interface ShareDeps {
  /** `.ve/deps` */
  depsDir: string;
  log: Logger;
  /**
   * runs a shell command with the package caches' environment and rejects with its output; project
   * code (npm ci, the root's scripts) gives the folders it may write, so it can run in the OS
   * sandbox; ve's own tools (cp, find, chmod) give null
   */
  run: (command: string, cwd: string, writable: readonly string[] | null) => Promise<void>;
}

/** Template folders kept besides the one in use; older ones are removed after a build. */
const KEEP_TEMPLATES = 3;
const MARKER = '.ve-template.json';
/** npm's install-time scripts of the root package, in the order `npm ci` runs them */
const ROOT_INSTALL_SCRIPTS = [
  'preinstall',
  'install',
  'postinstall',
  'prepublish',
  'preprepare',
  'prepare',
  'postprepare',
];
/** package.json fields that change what `npm ci` installs */
const INSTALL_FIELDS = [
  'name',
  'version',
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bundleDependencies',
  'bundledDependencies',
  'overrides',
];

interface Project {
  manifest: Record<string, unknown>;
  lockfile: string;
  lockText: string;
  npmrc: string | null;
}

const builds = new Map<string, Promise<string>>();
const inUse = new Map<string, number>();
const cloneProbe = new Map<string, Promise<boolean>>();

/** Why the node_modules of `checkout` cannot come from a shared template; null when it can. */
export async function unshareableReason(checkout: string): Promise<string | null> {
  const project = await readProject(checkout);
  if (typeof project === 'string') return project;
  if (project.manifest.workspaces !== undefined) return 'npm workspaces (each has its own node_modules)';
  let lock: { lockfileVersion?: number; packages?: Record<string, { link?: boolean; resolved?: string }> };
  try {
    lock = JSON.parse(project.lockText);
  } catch {
    return `${project.lockfile} is not valid JSON`;
  }
  if (!lock.packages || (lock.lockfileVersion ?? 1) < 2) return `${project.lockfile} is a version 1 lockfile`;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '') continue;
    // paths relative to the checkout would not resolve from the template folder
    if (entry.link || entry.resolved?.startsWith('file:')) return `${path} is a local folder or file`;
  }
  return null;
}

/**
 * Gives `checkout` a node_modules from the template for its lockfile (building the template with
 * `npm ci` first when there is none), then runs the root package's own install scripts in the
 * checkout, as `npm ci` would. `mode` 'copy' never shares file content.
 */
export async function installSharedNodeModules(
  checkout: string,
  mode: 'auto' | 'copy',
  deps: ShareDeps,
): Promise<ShareMethod> {
  const project = await readProject(checkout);
  if (typeof project === 'string') throw new Error(`node_modules cannot be shared: ${project}`);
  const key = templateKey(project);
  inUse.set(key, (inUse.get(key) ?? 0) + 1);
  try {
    const template = await readyTemplate(key, project, deps);
    const method = mode === 'copy' ? 'copy' : await bestMethod(template, checkout);
    await rm(join(checkout, 'node_modules'), { recursive: true, force: true });
    await deps.run(
      copyCommand(method, join(template, 'node_modules'), join(checkout, 'node_modules')),
      checkout,
      null,
    );
    if (method === 'hardlink') {
      // npm rewrites its hidden lockfile in place on every install: that one file is the checkout's own
      const hidden = join(checkout, 'node_modules', '.package-lock.json');
      await unlinkIfExists(hidden);
      await copyIfExists(join(template, 'node_modules', '.package-lock.json'), hidden);
    } else {
      await deps.run(`chmod -R u+w ${quote(join(checkout, 'node_modules'))}`, checkout, null);
    }
    const scripts = (project.manifest.scripts ?? {}) as Record<string, unknown>;
    for (const s of ROOT_INSTALL_SCRIPTS) {
      if (typeof scripts[s] === 'string')
        await deps.run(`npm run --ignore-scripts ${s}`, checkout, [checkout]);
    }
    return method;
  } finally {
    inUse.set(key, (inUse.get(key) ?? 1) - 1);
  }
}

async function readProject(checkout: string): Promise<Project | string> {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(await readFile(join(checkout, 'package.json'), 'utf8'));
  } catch (e) {
    return `package.json cannot be read (${e instanceof Error ? e.message : String(e)})`;
  }
  for (const lockfile of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const lockText = await readText(join(checkout, lockfile));
    if (lockText !== null)
      return { manifest, lockfile, lockText, npmrc: await readText(join(checkout, '.npmrc')) };
  }
  return 'no package-lock.json';
}

/** Everything that changes what `npm ci` puts into node_modules, hashed. */
function templateKey(p: Project): string {
  const fields = Object.fromEntries(INSTALL_FIELDS.map((f) => [f, p.manifest[f] ?? null]));
  const hash = createHash('sha256');
  for (const part of [
    'v1',
    p.lockfile,
    p.lockText,
    JSON.stringify(fields),
    p.npmrc ?? '',
    // native modules are built for this node, platform and CPU
    `${process.version} ${process.platform} ${process.arch}`,
    process.env.NODE_ENV ?? '',
  ])
    hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 32);
}

/** The template folder for `key`, built now if there is none or its files were modified. */
async function readyTemplate(key: string, project: Project, deps: ShareDeps): Promise<string> {
  const dir = join(deps.depsDir, 'npm', key);
  if (await isIntact(dir, deps)) return dir;
  let build = builds.get(key);
  if (!build) {
    build = buildTemplate(dir, project, deps).finally(() => builds.delete(key));
    builds.set(key, build);
  }
  return build;
}

/** The template exists, and no file in it was written after it was built. */
async function isIntact(dir: string, deps: ShareDeps): Promise<boolean> {
  if ((await readText(join(dir, MARKER))) === null) return false;
  const changed = await findChanged(dir, deps);
  if (changed === null) return true;
  deps.log.warn('a shared node_modules file was modified in place; rebuilding the template', {
    template: dir,
    file: changed,
  });
  await rm(dir, { recursive: true, force: true });
  return false;
}

/** The first file under the template's node_modules modified after the marker, or null. */
async function findChanged(dir: string, deps: ShareDeps): Promise<string | null> {
  const list = join(dir, '..', `.check-${process.pid}-${Date.now()}`);
  try {
    const nm = quote(join(dir, 'node_modules'));
    await deps.run(
      `find ${nm} -type f -newer ${quote(join(dir, MARKER))} -print -quit > ${quote(list)}`,
      dir,
      null,
    );
    const first = (await readFile(list, 'utf8')).split('\n')[0] ?? '';
    return first === '' ? null : first;
  } finally {
    await rm(list, { force: true });
  }
}

async function buildTemplate(dir: string, project: Project, deps: ShareDeps): Promise<string> {
  const root = join(deps.depsDir, 'npm');
  const building = `${dir}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  // the root package's own scripts need its sources: they run later, in each checkout
  const { scripts: _scripts, ...manifest } = project.manifest;
  await writeFile(join(building, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(building, project.lockfile), project.lockText);
  if (project.npmrc !== null) await writeFile(join(building, '.npmrc'), project.npmrc);
  const started = Date.now();
  await deps.run('npm ci --prefer-offline --no-audit --no-fund', building, [building]);
  // hard-linked files are shared by every worktree: an in-place write must fail, not spread
  await deps.run(`find node_modules -type f -perm /222 -exec chmod a-w {} +`, building, null);
  await writeFile(join(building, MARKER), `${JSON.stringify({ built_at: new Date().toISOString() })}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
  deps.log.info('shared node_modules built', { template: dir, took_ms: Date.now() - started });
  await removeOldTemplates(root, dir, deps.log);
  return dir;
}

/**
 * Keeps the newest templates and removes leftovers of interrupted builds (only this process builds).
 * Removing a template never breaks a worktree: its links and clones keep their data.
 */
async function removeOldTemplates(root: string, keep: string, log: Logger): Promise<void> {
  const entries = await readdir(root, { withFileTypes: true });
  const templates: { dir: string; at: number }[] = [];
  for (const e of entries) {
    const dir = join(root, e.name);
    const [key = '', building] = e.name.split('.building-');
    if (!e.isDirectory() || dir === keep || builds.has(key) || (inUse.get(key) ?? 0) > 0) continue;
    if (building !== undefined) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    const marker = await stat(join(dir, MARKER)).catch(() => null);
    templates.push({ dir, at: marker?.mtimeMs ?? 0 });
  }
  templates.sort((a, b) => b.at - a.at);
  for (const t of templates.slice(KEEP_TEMPLATES - 1)) {
    log.info('removing an old shared node_modules', { template: t.dir });
    await rm(t.dir, { recursive: true, force: true });
  }
}

/** Clone when the file system can, else hard links (Linux) or a copy (elsewhere, or across devices). */
async function bestMethod(template: string, checkout: string): Promise<ShareMethod> {
  if ((await stat(template)).dev !== (await stat(checkout)).dev) return 'copy';
  let probe = cloneProbe.get(template);
  if (!probe) {
    // next to the checkout, not in it: an agent's `git add -A` may run meanwhile
    probe = canClone(
      join(template, 'package.json'),
      join(dirname(checkout), `.ve-clone-probe-${process.pid}`),
    );
    cloneProbe.set(template, probe);
  }
  if (await probe) return 'clone';
  return process.platform === 'linux' ? 'hardlink' : 'copy';
}

const NO_CLONE = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EINVAL', 'EACCES', 'EROFS']);

async function canClone(from: string, to: string): Promise<boolean> {
  try {
    await copyFile(from, to, constants.COPYFILE_FICLONE_FORCE);
    return true;
  } catch (e) {
    if (NO_CLONE.has((e as NodeJS.ErrnoException).code ?? '')) return false;
    throw e;
  } finally {
    await rm(to, { force: true });
  }
}

/** The `cp` for a method: GNU coreutils on Linux, BSD cp on macOS (which has no hard-link copy). */
function copyCommand(method: ShareMethod, from: string, to: string): string {
  const gnu = process.platform === 'linux';
  const flags = { clone: gnu ? '-a --reflink=always' : '-cRp', hardlink: '-al', copy: gnu ? '-a' : '-Rp' };
  return `cp ${flags[method]} ${quote(from)} ${quote(to)}`;
}

export function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function unlinkIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

async function copyIfExists(from: string, to: string): Promise<void> {
  try {
    await copyFile(from, to);
    await chmod(to, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
