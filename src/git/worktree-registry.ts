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
    const admin = this.adminDirOf(path);
    if (admin === null) return false;
    return (
      readOr(join(admin, 'HEAD'))?.trim() === `ref: refs/heads/${branch}` && existsSync(join(admin, 'locked'))
    );
  }

  /**
   * True when the worktree at `path` has an index (`.git/worktrees/<id>/index`). `add` leaves a
   * worktree without one (`--no-checkout`); `checkOut` writes it last, after every file, so no index
   * means the checkout has not run or was killed half-way. git never deletes a worktree's index.
   */
  isCheckedOut(path: string): boolean {
    const admin = this.adminDirOf(path);
    return admin !== null && existsSync(join(admin, 'index'));
  }

  /**
   * The checkout `git worktree add` would have done: the index and the files of HEAD, overwriting
   * what a killed earlier checkout left half-written. Needs no place in the mutation queue: it writes
   * only this worktree's files and its own index (in its admin dir), updates no ref (unlike the
   * `reset --hard` git runs, which rewrites HEAD and so the branch ref), and only reads objects.
   * The caller makes sure no other checkout of this worktree is running: a killed one leaves its
   * `index.lock` behind, which is removed here.
   */
  async checkOut(path: string): Promise<void> {
    const admin = this.adminDirOf(path);
    if (admin !== null) await rm(join(admin, 'index.lock'), { force: true });
    await this.repo.ok(['read-tree', '--reset', '-u', '--no-recurse-submodules', 'HEAD'], { cwd: path });
  }

  /**
   * `.git/worktrees/<id>` of a worktree of this repository at `path`, read from `<path>/.git` and
   * checked against its `gitdir` back-link; null when there is none (or it belongs elsewhere).
   */
  private adminDirOf(path: string): string | null {
    const dotGit = readOr(join(path, '.git'));
    const m = dotGit === null ? null : /^gitdir: (.+)$/m.exec(dotGit);
    if (!m) return null;
    const admin = resolve(path, (m[1] as string).trim());
    if (!samePath(dirname(admin), join(this.repo.root, '.git', 'worktrees'))) return null;
    const back = readOr(join(admin, 'gitdir'));
    return back !== null && samePath(back.trim(), join(path, '.git')) ? admin : null;
  }

  /** Locks the worktree so `git worktree prune` never drops it while ve uses it. */
  async lock(path: string): Promise<void> {
    const r = await this.repo.run(['worktree', 'lock', '--reason', LOCK_REASON, path]);
    if (r.code !== 0 && !/already locked/.test(r.stderr))
      throw gitFailed(['worktree', 'lock', path], path, r);
  }

  /**
   * Adds a locked worktree on `branch`, not yet checked out: the branch is reused as-is when it
   * exists, else created from `base`.
   */
  async add(chunk: string, path: string, branch: string, base: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await this.excludeStateDir();
    // created locked in the same step; no checkout here (`checkOut`, outside the queue, does that)
    const lock = ['--no-checkout', '--lock', '--reason', LOCK_REASON];
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

/** A file's text, or null when it (or a directory on its path) does not exist. */
function readOr(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    // no worktree there: the slow path decides what to do about it
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}
