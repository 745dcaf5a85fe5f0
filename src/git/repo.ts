/**
 * Typed queries on one repository (refs, ancestry, worktree registry, committer identity), built on
 * git-cli. Read-only except where a method name says otherwise; callers queue the mutations.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type GitOptions, type GitResult, git, gitFailed, gitOk } from './git-cli.js';
import { parseWorktreeList, type WorktreeEntry } from './porcelain.js';

/** Used for ve's own commits when the repository has no user.name / user.email configured. */
export const FALLBACK_IDENTITY = { name: 've', email: 've@localhost' } as const;

export class GitRepo {
  private identity: Promise<string[]> | null = null;

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

  /** The tip of branch `name` (refs/heads/<name>), or null when there is no such branch. */
  branchTip(name: string): Promise<string | null> {
    return this.commitOf(`refs/heads/${name}`);
  }

  /** Is `ancestor` reachable from `descendant` (equal counts)? */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const args = ['merge-base', '--is-ancestor', ancestor, descendant];
    const r = await this.run(args);
    if (r.code === 0) return true;
    if (r.code === 1) return false;
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
  async checkoutOf(branch: string): Promise<WorktreeEntry | null> {
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

  /** The directory git keeps shared state in (`.git` of the main working tree). */
  async commonDir(): Promise<string> {
    const out = await this.ok(['rev-parse', '--path-format=absolute', '--git-common-dir']);
    return out.trim();
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
