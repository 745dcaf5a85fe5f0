/**
 * Typed queries on one repository (refs, ancestry, worktree registry, committer identity), built on
 * git-cli. Read-only except where a method name says otherwise; callers queue the mutations.
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { headsNaming, mergeHeadOf } from './admin-files.js';
import { type GitOptions, type GitResult, git, gitFailed, gitOk } from './git-cli.js';
import { parseWorktreeList, type WorktreeEntry } from './porcelain.js';

/**
 * On ve's own `merge` and `commit`: git would otherwise spawn `git maintenance run --auto` at the
 * end of each, inside the mutation queue. GitWorktrees runs it itself, outside the queue.
 */
export const NO_AUTO_MAINTENANCE: readonly string[] = ['-c', 'maintenance.auto=false', '-c', 'gc.auto=0'];

/** A working tree that has a given branch checked out. */
export interface Checkout {
  path: string;
}

/** Used for ve's own commits when the repository has no user.name / user.email configured. */
export const FALLBACK_IDENTITY = { name: 've', email: 've@localhost' } as const;

export class GitRepo {
  private identity: Promise<string[]> | null = null;
  private common: Promise<string> | null = null;
  private rootIsMain: boolean | null = null;

  constructor(readonly root: string) {}

  run(args: readonly string[], opts: Partial<GitOptions> = {}): Promise<GitResult> {
    return git(args, { cwd: this.root, ...opts });
  }

  ok(args: readonly string[], opts: Partial<GitOptions> = {}): Promise<string> {
    return gitOk(args, { cwd: this.root, ...opts });
  }

  /** The commit a ref or revision names, or null when it does not resolve to a commit. */
  async commitOf(rev: string, cwd = this.root): Promise<string | null> {
    const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { cwd });
    if (r.code === 0) return r.stdout.trim();
    if (r.code === 1) return null;
    throw gitFailed(['rev-parse', rev], cwd, r);
  }

  /** commitOf for several revisions with one spawn (`cat-file --batch-check`), in order. */
  async commitsOf(revs: readonly string[], cwd = this.root): Promise<(string | null)[]> {
    // the batch protocol is one name per line: a name it cannot carry is resolved on its own
    if (revs.some((r) => r === '' || /[\n\r]/.test(r))) {
      return Promise.all(revs.map((r) => this.commitOf(r, cwd)));
    }
    const input = revs.map((r) => `${r}^{commit}\n`).join('');
    const args = ['cat-file', '--batch-check=%(objectname) %(objecttype)'];
    const out = await gitOk(args, { cwd, input });
    const lines = out.split('\n');
    // `<id> commit` when it peels to a commit; `<name> missing` / `<name> ambiguous` otherwise
    return revs.map((_, i) => /^([0-9a-f]{40}|[0-9a-f]{64}) commit$/.exec(lines[i] ?? '')?.[1] ?? null);
  }

  /** The tip of branch `name` (refs/heads/<name>), or null when there is no such branch. */
  branchTip(name: string): Promise<string | null> {
    return this.commitOf(`refs/heads/${name}`);
  }

  /** The tips of several branches with one spawn, in order (null: no such branch). */
  branchTipsOf(names: readonly string[]): Promise<(string | null)[]> {
    return this.commitsOf(names.map((n) => `refs/heads/${n}`));
  }

  /**
   * The tip of `branch` if it contains `commit` (equal counts), else null — branchTip + isAncestor in
   * one spawn (`for-each-ref --contains`).
   */
  async branchContaining(branch: string, commit: string): Promise<string | null> {
    const ref = `refs/heads/${branch}`;
    const args = [
      'for-each-ref',
      '--contains',
      commit,
      '--format=%(objectname) %(objecttype) %(refname)',
      ref,
    ];
    const r = await this.run(args);
    if (r.code !== 0) throw gitFailed(args, this.root, r);
    // the pattern also matches refs below `ref/`; only the exact ref counts
    const line = r.stdout.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (line === undefined) return null;
    const [id, type] = line.split(' ');
    if (type === 'commit') return id as string;
    // a branch pointing at a tag object: peel the slow way
    const tip = await this.branchTip(branch);
    return tip !== null && (await this.isAncestor(commit, tip)) ? tip : null;
  }

  /** Is `ancestor` reachable from `descendant` (equal counts)? */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const args = ['merge-base', '--is-ancestor', ancestor, descendant];
    const r = await this.run(args);
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    throw gitFailed(args, this.root, r);
  }

  /**
   * The best common ancestor of two commits, null when they share no history. It is `a` exactly when
   * `a` is an ancestor of `b`, so one spawn answers both "is a in b?" and "is b in a?".
   */
  async mergeBase(a: string, b: string): Promise<string | null> {
    const args = ['merge-base', a, b];
    const r = await this.run(args);
    if (r.code === 0) return r.stdout.trim();
    if (r.code === 1) return null;
    throw gitFailed(args, this.root, r);
  }

  /** Commits reachable from `tip` and not from `base`. */
  async countAhead(base: string, tip: string): Promise<number> {
    const out = await this.ok(['rev-list', '--count', `${base}..${tip}`, '--']);
    return Number.parseInt(out.trim(), 10);
  }

  async worktrees(): Promise<WorktreeEntry[]> {
    return parseWorktreeList(await this.ok(['worktree', 'list', '--porcelain', '-z']));
  }

  /**
   * The working tree (the host's own included) that has `branch` checked out. Registrations whose
   * directory is gone (`prunable`) do not count: there is no working copy left to keep in step.
   */
  async checkoutOf(branch: string): Promise<Checkout | null> {
    // HEAD files first: git's list reads the same ones, so most answers need no spawn
    const common = await this.commonDir();
    const seen = headsNaming(common, branch);
    if (seen === 'none') return null;
    if (seen === 'main' && this.isMainWorktree(common)) return { path: this.root };
    return (await this.worktrees()).find((w) => w.branch === branch && !w.bare && !w.prunable) ?? null;
  }

  /** `-c user.name=… -c user.email=…` for whichever of the two the repository does not configure. */
  identityArgs(): Promise<string[]> {
    this.identity ??= (async () => {
      const args: string[] = [];
      for (const key of ['name', 'email'] as const) {
        const r = await this.run(['config', '--get', `user.${key}`]);
        if (r.code !== 0 || r.stdout.trim() === '') args.push('-c', `user.${key}=${FALLBACK_IDENTITY[key]}`);
      }
      return args;
    })();
    return this.identity;
  }

  /**
   * The commit MERGE_HEAD names in the working tree at `cwd` (a merge in progress there), or null.
   * Read from the file when `<cwd>/.git` leads to it; otherwise git is asked.
   */
  async mergeHead(cwd: string): Promise<string | null> {
    const fromFile = mergeHeadOf(cwd);
    return fromFile === undefined ? this.commitOf('MERGE_HEAD', cwd) : fromFile;
  }

  /**
   * Is `root` the main working tree, its `.git` directory the shared one? Then git lists it first,
   * as the main working tree, and never as bare or prunable.
   */
  private isMainWorktree(common: string): boolean {
    this.rootIsMain ??= (() => {
      const dotGit = join(this.root, '.git');
      return existsSync(dotGit) && lstatSync(dotGit).isDirectory() && samePath(dotGit, common);
    })();
    return this.rootIsMain;
  }

  /** The directory git keeps shared state in (`.git` of the main working tree); asked once. */
  commonDir(): Promise<string> {
    this.common ??= this.ok(['rev-parse', '--path-format=absolute', '--git-common-dir']).then((out) =>
      out.trim(),
    );
    // a failure is not kept: the next call asks again
    this.common.catch(() => {
      this.common = null;
    });
    return this.common;
  }
}

/** Compares two paths after resolving symlinks (git prints real paths; os.tmpdir() may be a link). */
export function samePath(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/** The absolute path with symlinks resolved as far as the path exists. */
export function canonical(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(canonical(parent), basename(abs));
}
