/**
 * The mutating steps on the host repository's worktree registry and unit branches: add (locked),
 * remove with fallbacks, delete a merged branch. Callers run these inside the mutation queue.
 */
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';
import { gitFailed } from './git-cli.js';
import type { WorktreeEntry } from './porcelain.js';
import { type GitRepo, samePath } from './repo.js';

export const LOCK_REASON = 've: in use';

/** The line ve adds to `.git/info/exclude` so `.ve/` stays out of the operator's status. */
const STATE_DIR_EXCLUDE = '/.ve/';

export class WorktreeRegistry {
  constructor(
    private readonly repo: GitRepo,
    private readonly log: Logger,
  ) {}

  /** The registration of the worktree at `path`, if git has one (the directory may be gone). */
  async at(path: string): Promise<WorktreeEntry | null> {
    return (await this.repo.worktrees()).find((e) => samePath(e.path, path)) ?? null;
  }

  /**
   * True when `path` is a registered, locked worktree of this repository with `branch` checked out —
   * what `at()` + `locked` report — read from the same administrative files git reads
   * (`<path>/.git` → `.git/worktrees/<id>/{gitdir,HEAD,locked}`), without spawning git. False on
   * anything unexpected, so the caller falls back to asking git. Every phase after the first takes
   * this path, and it needs no place in the mutation queue (bench/pipeline: the queue wait was most
   * of a phase's start-up).
   */
  isLockedOn(path: string, branch: string): boolean {
    try {
      const dotGit = readFileSync(join(path, '.git'), 'utf8');
      const m = /^gitdir: (.+)$/m.exec(dotGit);
      if (!m) return false;
      const admin = resolve(path, (m[1] as string).trim());
      if (!samePath(dirname(admin), join(this.repo.root, '.git', 'worktrees'))) return false;
      if (!samePath(readFileSync(join(admin, 'gitdir'), 'utf8').trim(), join(path, '.git'))) return false;
      if (readFileSync(join(admin, 'HEAD'), 'utf8').trim() !== `ref: refs/heads/${branch}`) return false;
      return existsSync(join(admin, 'locked'));
    } catch (e) {
      // no worktree there (or unreadable): the slow path decides what to do about it
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
        return false;
      throw e;
    }
  }

  /** Locks the worktree so `git worktree prune` never drops it while ve uses it. */
  async lock(path: string): Promise<void> {
    const r = await this.repo.run(['worktree', 'lock', '--reason', LOCK_REASON, path]);
    if (r.code !== 0 && !/already locked/.test(r.stderr))
      throw gitFailed(['worktree', 'lock', path], path, r);
  }

  /** Adds a locked worktree on `branch`: reused as-is when it exists, else created from `base`. */
  async add(chunk: string, path: string, branch: string, base: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await this.excludeStateDir();
    const lock = ['--lock', '--reason', LOCK_REASON];
    const [tip, baseCommit] = await this.repo.commitsOf([`refs/heads/${branch}`, base]);
    if (tip !== null) {
      const holder = await this.repo.checkoutOf(branch);
      if (holder) {
        throw new OrchError(
          ErrorCode.conflict,
          `branch ${branch} is checked out at ${holder.path}; check out another branch there first`,
          { chunk, branch, path: holder.path },
        );
      }
      this.log.info('reusing existing branch for a new worktree', { chunk, branch });
      await this.repo.ok(['worktree', 'add', ...lock, path, branch]);
      return;
    }
    if (baseCommit === null) {
      throw new OrchError(ErrorCode.invalid_input, `base '${base}' does not name a commit`, { chunk, base });
    }
    await this.repo.ok(['worktree', 'add', ...lock, '--no-track', '-b', branch, path, base]);
  }

  /** An empty or half-made directory at the worktree path that git does not know (crash during add). */
  async clearLeftoverDir(chunk: string, path: string): Promise<void> {
    const content = await readdir(path);
    if (content.length > 0 && !existsSync(join(path, '.git'))) {
      throw new OrchError(
        ErrorCode.conflict,
        `${path} exists but is not a worktree of this repository; move it away and retry`,
        { chunk, path },
      );
    }
    this.log.warn('removing leftover worktree directory unknown to git', { chunk, path });
    await rm(path, { recursive: true, force: true });
    await this.repo.ok(['worktree', 'prune']);
  }

  /**
   * Removes a worktree, locked or not, with its local changes; falls back to unlocking, deleting the
   * directory and pruning. A directory git does not know is just deleted. No-op if absent.
   */
  async remove(path: string): Promise<void> {
    // `-f -f` removes a locked worktree too: one spawn where unlock + remove took two
    const r = await this.repo.run(['worktree', 'remove', '-f', '-f', path]);
    if (r.code === 0) return;
    if (/is not a working tree/.test(r.stderr)) {
      if (existsSync(path)) await rm(path, { recursive: true, force: true });
      return;
    }
    this.log.warn('git worktree remove failed; deleting the directory', { path, stderr: r.stderr.trim() });
    // `prune` keeps locked registrations, so unlock first; "not locked" is fine
    const unlock = await this.repo.run(['worktree', 'unlock', path]);
    if (unlock.code !== 0 && !/not locked/.test(unlock.stderr))
      throw gitFailed(['worktree', 'unlock', path], path, unlock);
    await rm(path, { recursive: true, force: true });
    await this.repo.ok(['worktree', 'prune']);
  }

  /** Deletes the branch only if it is still at `tip` (compare-and-swap) and nobody has it checked out. */
  async deleteBranch(branch: string, tip: string): Promise<void> {
    const holder = await this.repo.checkoutOf(branch);
    if (holder) {
      this.log.warn('branch is checked out elsewhere; not deleted', { branch, path: holder.path });
      return;
    }
    await this.repo.ok(['update-ref', '-m', 've: delete unit branch', '-d', `refs/heads/${branch}`, tip]);
  }

  /** Keeps `.ve/` out of the operator's `git status` and `git add -A` (worktrees nest inside it). */
  private async excludeStateDir(): Promise<void> {
    const file = join(await this.repo.commonDir(), 'info', 'exclude');
    const current = existsSync(file) ? await readFile(file, 'utf8') : '';
    // our own line is there (the usual case after the first worktree): no need to ask git
    if (current.split('\n').some((l) => l.trim() === STATE_DIR_EXCLUDE)) return;
    const ignored = await this.repo.run(['check-ignore', '--quiet', '.ve/chunks']);
    if (ignored.code === 0) return;
    await mkdir(dirname(file), { recursive: true });
    const sep = current === '' || current.endsWith('\n') ? '' : '\n';
    await appendFile(file, `${sep}# ve orchestrator state\n${STATE_DIR_EXCLUDE}\n`);
  }
}
