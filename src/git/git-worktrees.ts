/**
 * GitWorktrees: the Worktrees port on the real git binary. Each unit gets `.ve/chunks/<c>/worktree`
 * on branch `orch/<c>`; every mutation of the host repository goes through one serial queue.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProjectPaths, unitBranch } from '../config/paths.js';
import { isChunkName, toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, NotFoundError, OrchError } from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';
import type {
  EnsuredWorktree,
  LiveProbe,
  MergeResult,
  WorktreeInfo,
  WorktreeState,
  Worktrees,
} from '../ports/worktrees.js';
import { boundedDiff } from './diff.js';
import { gitFailed } from './git-cli.js';
import { type MergeOptions, mergeIntoBase } from './merge.js';
import { type MutationQueue, queueFor } from './mutation-queue.js';
import { isObjectId, parseMergeTree, parsePorcelainPaths } from './porcelain.js';
import { GitRepo, NO_AUTO_MAINTENANCE, samePath } from './repo.js';
import { copyIncludedFiles, excludePathspecs, readIncludeList } from './worktree-include.js';
import { WorktreeRegistry } from './worktree-registry.js';

/** where `unitBranch` puts every unit's branch */
const BRANCH_PREFIX = `refs/heads/${unitBranch('')}`;

export interface GitWorktreesDeps {
  root: string;
  paths: ProjectPaths;
  log: Logger;
  /** defaults to the process-wide queue of this repository */
  queue?: MutationQueue;
  /** passed to the merge (test seams, CAS attempts) */
  merge?: Omit<MergeOptions, 'log'>;
  /** merges between two runs of git's auto maintenance; default MAINTENANCE_EVERY */
  maintenanceEvery?: number;
}

/** Merges between two runs of git's auto maintenance (see maintainNowAndThen). */
export const MAINTENANCE_EVERY = 10;

/**
 * Worktree checkouts running outside the queue in this process, by path: process-wide like the
 * queue, so two calls never check out one worktree at once.
 */
const checkouts = new Map<string, Promise<void>>();

export class GitWorktrees implements Worktrees {
  private readonly repo: GitRepo;
  private readonly paths: ProjectPaths;
  private readonly log: Logger;
  private readonly queue: MutationQueue;
  private readonly mergeOpts: MergeOptions;
  private readonly registry: WorktreeRegistry;
  private readonly maintenanceEvery: number;
  private mergesSinceMaintenance = 0;

  constructor(deps: GitWorktreesDeps) {
    this.repo = new GitRepo(deps.root);
    this.paths = deps.paths;
    this.log = deps.log.child({ component: 'git' });
    this.queue = deps.queue ?? queueFor(existsSync(deps.root) ? realpathSync(deps.root) : deps.root);
    this.mergeOpts = { ...deps.merge, log: this.log };
    this.registry = new WorktreeRegistry(this.repo, this.log);
    this.maintenanceEvery = deps.maintenanceEvery ?? MAINTENANCE_EVERY;
  }

  async defaultBase(): Promise<string> {
    const inside = await this.repo.run(['rev-parse', '--git-dir']);
    if (inside.code !== 0) {
      throw new OrchError(ErrorCode.invalid_input, `${this.repo.root} is not a git repository`, {
        root: this.repo.root,
      });
    }
    const head = await this.repo.commitOf('HEAD');
    if (head === null) {
      throw new OrchError(
        ErrorCode.invalid_input,
        'repository has no commits; make an initial commit first',
        { root: this.repo.root },
      );
    }
    const sym = await this.repo.run(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    return sym.code === 0 ? sym.stdout.trim() : head;
  }

  async ensure(chunk: string, opts: { baseBranch: string }): Promise<EnsuredWorktree> {
    const name = toChunkName(chunk);
    const path = this.paths.worktree(name);
    const branch = unitBranch(name);
    const done = (created: boolean) => ({ path, branch, baseBranch: opts.baseBranch, created });
    // the common case (every phase after the first) reads git's files and skips the queue
    if (this.registry.isLockedOn(path, branch) && this.registry.isCheckedOut(path)) return done(false);
    const added = await this.queue.run(async () => {
      const entry = await this.registry.at(path);
      if (entry && entry.branch === branch && existsSync(join(path, '.git'))) {
        if (!entry.locked) await this.registry.lock(path);
        return false;
      }
      if (entry) {
        this.log.warn('worktree registration is stale or broken; recreating it', { chunk: name, path });
        await this.registry.remove(path);
      } else if (existsSync(path)) {
        await this.registry.clearLeftoverDir(name, path);
      }
      await this.registry.add(name, path, branch, opts.baseBranch);
      return true;
    });
    // the checkout, the heaviest step, runs outside the queue (WorktreeRegistry.checkOut says why)
    if (!added && this.registry.isCheckedOut(path)) return done(false);
    if (!(await this.checkOutOnce(name, path, added))) return done(false);
    const copied = await copyIncludedFiles(this.repo.root, path, this.log);
    this.log.info('worktree created', { chunk: name, path, branch, base: opts.baseBranch, copied });
    return done(true);
  }

  /**
   * Checks out a worktree `add` left without a checkout: just added, or added by a run killed
   * before its checkout finished (it never got its include files or setup either, so the caller
   * treats it as created). False when another call is already doing it: that call reports it.
   */
  private async checkOutOnce(name: string, path: string, added: boolean): Promise<boolean> {
    const running = checkouts.get(path);
    if (running) {
      await running;
      return false;
    }
    if (!added)
      this.log.warn('worktree creation was interrupted before its checkout; finishing it', {
        chunk: name,
        path,
      });
    const checkout = this.registry.checkOut(path);
    checkouts.set(path, checkout);
    try {
      await checkout;
      return true;
    } finally {
      checkouts.delete(path);
    }
  }

  async exists(chunk: string): Promise<boolean> {
    return existsSync(join(this.paths.worktree(toChunkName(chunk)), '.git'));
  }

  async commitAll(chunk: string, message: string): Promise<string[]> {
    const name = toChunkName(chunk);
    const cwd = this.paths.worktree(name);
    if (!(await this.exists(name))) throw new NotFoundError('worktree', name);
    // one spawn for the common case (the agent committed its work): anything `add -A` below could
    // stage, or an unmerged path, shows here; the untracked and submodule options override any
    // config that would hide one. Include-listed files show too: they take the full path.
    const status = ['status', '--porcelain', '-z', '--untracked-files=normal', '--ignore-submodules=none'];
    if ((await this.repo.ok(status, { cwd })) === '') return [];
    const conflicted = await this.repo.ok(['ls-files', '--unmerged'], { cwd });
    if (conflicted.trim() !== '') {
      throw new OrchError(ErrorCode.conflict, `worktree of ${name} has unresolved merge conflicts`, {
        chunk: name,
      });
    }
    const excludes = await this.includeExcludes(cwd);
    await this.repo.ok(['add', '-A', '--', '.', ...excludes], { cwd });
    const staged = (
      await this.repo.ok(['-c', 'core.quotePath=false', 'diff', '--cached', '--name-only', '-z'], { cwd })
    )
      .split('\0')
      .filter((f) => f !== '');
    if (staged.length === 0) return [];
    const identity = await this.repo.identityArgs();
    const commit = ['commit', '--quiet', '--no-edit', '-m', message];
    await this.repo.ok([...identity, ...NO_AUTO_MAINTENANCE, ...commit], { cwd });
    this.log.info('committed worktree changes', { chunk: name, files: staged.length });
    return staged;
  }

  async inspect(chunk: string, since: string | null): Promise<WorktreeState> {
    const name = toChunkName(chunk);
    const cwd = this.paths.worktree(name);
    if (!(await this.exists(name))) throw new NotFoundError('worktree', name);
    const tip = await this.repo.commitOf('HEAD', cwd);
    const status = ['status', '--porcelain', '-z', '--untracked-files=normal', '--ignore-submodules=none'];
    const excludes = await this.includeExcludes(cwd);
    const dirty = parsePorcelainPaths(await this.repo.ok([...status, '--', '.', ...excludes], { cwd }));
    if (tip === null || since === null || since === tip)
      return { tip, newCommits: 0, changedFiles: [], dirty };
    const from = this.objectId(since);
    const [count, changed] = await Promise.all([
      this.repo.ok(['rev-list', '--count', `${from}..${tip}`], { cwd }),
      this.repo.ok(['-c', 'core.quotePath=false', 'diff', '--name-only', '-z', from, tip, '--'], { cwd }),
    ]);
    return {
      tip,
      newCommits: Number.parseInt(count.trim(), 10) || 0,
      changedFiles: changed.split('\0').filter((f) => f !== ''),
      dirty,
    };
  }

  async finalize(chunk: string, baseBranch: string): Promise<MergeResult> {
    const name = toChunkName(chunk);
    const branch = unitBranch(name);
    if (await this.exists(name)) await this.commitAll(name, `feat: chunk ${name}`);
    const result = await this.queue.run(async (): Promise<MergeResult> => {
      const [tip = null, baseTip = null] = await this.repo.branchTipsOf([branch, baseBranch]);
      if (tip === null) {
        await this.registry.remove(this.paths.worktree(name));
        return { kind: 'merged', commit: null };
      }
      const req = { branch, tip, base: baseBranch, baseTip };
      const merged = await mergeIntoBase(this.repo, req, this.mergeOpts);
      if (merged.kind === 'merged') {
        // only now that the branch is contained in base: the worktree and the branch may go
        await this.registry.remove(this.paths.worktree(name));
        await this.registry.deleteBranch(branch, tip);
      }
      return merged;
    });
    if (result.kind === 'merged') await this.maintainNowAndThen();
    return result;
  }

  /**
   * git's own `maintenance run --auto` (repack and prune loose objects when they pile up), which ve's
   * merges and commits no longer start: run here, outside the mutation queue, every
   * `maintenanceEvery` merges. It only checks thresholds unless there is work to do.
   */
  private async maintainNowAndThen(): Promise<void> {
    if (++this.mergesSinceMaintenance < this.maintenanceEvery) return;
    this.mergesSinceMaintenance = 0;
    const r = await this.repo.run(['maintenance', 'run', '--auto', '--quiet']);
    if (r.code !== 0) this.log.warn('git maintenance run --auto failed', { stderr: r.stderr.trim() });
  }

  async probe(chunkA: string, chunkB: string, commits?: readonly [string, string]): Promise<LiveProbe> {
    const refs = commits
      ? commits.map((c) => this.objectId(c))
      : [chunkA, chunkB].map((c) => `refs/heads/${unitBranch(toChunkName(c))}`);
    const args = ['-c', 'core.quotePath=false', 'merge-tree', '--write-tree', '--name-only', '--no-messages'];
    // one spawn in the common case; branch existence is checked only when git could not merge
    const r = await this.repo.run([...args, ...refs]);
    if (r.code === 0) return { clean: true, conflicting_files: [] };
    // exit 1 also means "not something we can merge"; a real conflict result starts with the tree id
    const result = parseMergeTree(r.stdout);
    if (r.code === 1 && isObjectId(result.tree)) return { clean: false, conflicting_files: result.files };
    const [a, b] = await Promise.all(refs.map((ref) => this.repo.commitOf(ref)));
    if (a === null || b === null) return { clean: true, conflicting_files: [] };
    throw gitFailed([...args, ...refs], this.repo.root, r);
  }

  async branchTips(): Promise<Map<string, string>> {
    // read-only and one spawn: outside the mutation queue, like the probe it feeds
    const out = await this.repo.ok(['for-each-ref', `--format=%(objectname) %(refname)`, BRANCH_PREFIX]);
    const tips = new Map<string, string>();
    for (const line of out.split('\n')) {
      const [sha = '', ref = ''] = line.split(' ');
      const chunk = ref.slice(BRANCH_PREFIX.length);
      if (ref.startsWith(BRANCH_PREFIX) && isChunkName(chunk) && isObjectId(sha)) tips.set(chunk, sha);
    }
    return tips;
  }

  async unmergedCommits(chunk: string, baseBranch: string): Promise<number> {
    const tip = await this.repo.branchTip(unitBranch(toChunkName(chunk)));
    return tip === null ? 0 : this.repo.countAhead(baseBranch, tip);
  }

  async remove(
    chunk: string,
    opts: { force: boolean; keepBranch: boolean; baseBranch: string },
  ): Promise<void> {
    const name = toChunkName(chunk);
    const branch = unitBranch(name);
    const path = this.paths.worktree(name);
    return this.queue.run(async () => {
      const tip = await this.repo.branchTip(branch);
      if (!opts.force) await this.refuseLosingWork(name, path, tip, opts);
      await this.registry.remove(path);
      if (tip !== null && !opts.keepBranch) await this.registry.deleteBranch(branch, tip);
      this.log.info('worktree removed', { chunk: name, branch_removed: tip !== null && !opts.keepBranch });
    });
  }

  async list(baseBranch: string): Promise<WorktreeInfo[]> {
    const entries = await this.repo.worktrees();
    const chunks = new Set<string>();
    const chunksDir = join(this.paths.stateDir, 'chunks');
    if (existsSync(chunksDir)) {
      for (const d of await readdir(chunksDir)) {
        if (isChunkName(d) && existsSync(this.paths.worktree(d))) chunks.add(d);
      }
    }
    const refs = await this.repo.ok(['for-each-ref', '--format=%(refname)', 'refs/heads/orch/']);
    for (const ref of refs.split('\n')) {
      const c = ref.replace(/^refs\/heads\/orch\//, '');
      if (ref !== '' && isChunkName(c)) chunks.add(c);
    }
    const out: WorktreeInfo[] = [];
    for (const c of [...chunks].sort()) {
      const path = this.paths.worktree(c);
      const entry = entries.find((e) => samePath(e.path, path));
      out.push({
        chunk: c,
        path,
        branch: unitBranch(c),
        exists: existsSync(join(path, '.git')),
        locked: entry?.locked ?? false,
        unmerged_commits: await this.unmergedCommits(c, baseBranch),
      });
    }
    return out;
  }

  async diff(chunk: string, baseBranch: string): Promise<string> {
    const name = toChunkName(chunk);
    const tip = await this.repo.branchTip(unitBranch(name));
    const worktree = (await this.exists(name)) ? this.paths.worktree(name) : null;
    return boundedDiff(this.repo, { base: baseBranch, tip, worktree });
  }

  /** a commit id handed to git as an argument: a full id only (never a ref or an option) */
  private objectId(commit: string): string {
    if (isObjectId(commit)) return commit;
    throw new OrchError(ErrorCode.invalid_input, `not a full commit id: ${commit}`, { commit });
  }

  /**
   * Pathspecs keeping `.worktreeinclude` paths out of ve's `git add -A` and dirtiness check. Paths git
   * already ignores are left out: `git add` refuses to even exclude an ignored path.
   */
  private async includeExcludes(cwd: string): Promise<string[]> {
    const list = await readIncludeList(this.repo.root);
    if (list.paths.length === 0) return [];
    const input = `${list.paths.join('\0')}\0`;
    const r = await this.repo.run(['check-ignore', '-z', '--stdin'], { cwd, input });
    if (r.code > 1) throw gitFailed(['check-ignore', '-z', '--stdin'], cwd, r);
    const ignored = new Set(r.stdout.split('\0'));
    return excludePathspecs({ paths: list.paths.filter((p) => !ignored.has(p)), rejected: [] });
  }

  private async refuseLosingWork(
    name: string,
    path: string,
    tip: string | null,
    opts: { keepBranch: boolean; baseBranch: string },
  ): Promise<void> {
    if (tip !== null && !opts.keepBranch) {
      const n = await this.repo.countAhead(opts.baseBranch, tip);
      if (n > 0) {
        throw new OrchError(
          ErrorCode.conflict,
          `branch orch/${name} has ${n} unmerged commit(s); use --force to delete anyway`,
          { chunk: name, unmerged_commits: n },
        );
      }
    }
    if (existsSync(join(path, '.git'))) {
      const excludes = await this.includeExcludes(path);
      const status = await this.repo.ok(['status', '--porcelain', '--', '.', ...excludes], { cwd: path });
      if (status.trim() !== '') {
        throw new OrchError(
          ErrorCode.conflict,
          `worktree of ${name} has uncommitted changes; use --force to delete anyway`,
          { chunk: name },
        );
      }
    }
  }
}
