/**
 * GitLanding: the train's Landing port on the git binary. Speculative merges are plumbing
 * (merge-tree + commit-tree: objects only, no ref, no working copy); landing is a compare-and-swap
 * ref update, or a fast-forward in the operator's checkout when base is checked out. Ref moves go
 * through the repository's mutation queue.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { type ProjectPaths, unitBranch } from '../config/paths.js';
import { toChunkName } from '../domain/chunk-name.js';
import { NotFoundError } from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';
import type { Landing, LandResult, SendBackMerge, SpeculativeMerge } from '../ports/train.js';
import { gitFailed } from './git-cli.js';
import { catchUpCheckout, computeMerge, mergeMessage } from './merge.js';
import { type MutationQueue, queueFor } from './mutation-queue.js';
import { GitRepo, NO_AUTO_MAINTENANCE } from './repo.js';

export interface GitLandingDeps {
  root: string;
  paths: ProjectPaths;
  log: Logger;
  queue?: MutationQueue;
}

export class GitLanding implements Landing {
  private readonly repo: GitRepo;
  private readonly queue: MutationQueue;
  private readonly log: Logger;

  constructor(private readonly deps: GitLandingDeps) {
    this.repo = new GitRepo(deps.root);
    this.queue = deps.queue ?? queueFor(existsSync(deps.root) ? realpathSync(deps.root) : deps.root);
    this.log = deps.log.child({ component: 'landing' });
  }

  baseTip(base: string): Promise<string | null> {
    return this.repo.branchTip(base);
  }

  async speculate(req: {
    parent: string;
    branch: string;
    tip: string;
    base: string;
  }): Promise<SpeculativeMerge> {
    if ((await this.repo.mergeBase(req.tip, req.parent)) === req.tip) return { kind: 'contained' };
    const merge = { branch: req.branch, tip: req.tip, base: req.base };
    const computed = await computeMerge(this.repo, merge, req.parent, false);
    return computed.kind === 'conflict'
      ? { kind: 'conflict', files: computed.files }
      : { kind: 'commit', commit: computed.commit };
  }

  land(base: string, expectedBase: string, commit: string): Promise<LandResult> {
    return this.queue.run(async (): Promise<LandResult> => {
      const checkout = await this.repo.checkoutOf(base);
      if (checkout) return this.fastForwardCheckout(checkout.path, base, expectedBase, commit);
      const ref = `refs/heads/${base}`;
      const args = [
        'update-ref',
        '-m',
        `ve: land verified ${commit.slice(0, 12)}`,
        ref,
        commit,
        expectedBase,
      ];
      const r = await this.repo.run(args);
      if (r.code !== 0) {
        const now = await this.repo.branchTip(base);
        if (now !== expectedBase) return { kind: 'moved', tip: now };
        throw gitFailed(args, this.repo.root, r);
      }
      // the operator may have checked base out between our look and the ref update
      await catchUpCheckout(this.repo, base, expectedBase, commit, this.log);
      this.log.info('landed by ref update', { base, commit });
      return { kind: 'landed', commit };
    });
  }

  /**
   * `git merge --ff-only` in the operator's working copy: the verified commit's first parent is base's
   * tip, so this moves base to exactly that commit, and git refuses (changing nothing) when their
   * local edits are in the way or when they committed meanwhile.
   */
  private async fastForwardCheckout(
    cwd: string,
    base: string,
    expectedBase: string,
    commit: string,
  ): Promise<LandResult> {
    if ((await this.repo.mergeHead(cwd)) !== null) {
      return {
        kind: 'refused',
        message: `a merge is in progress in ${cwd}; finish or abort it, then retry landing on ${base}`,
      };
    }
    const tip = await this.repo.branchTip(base);
    if (tip !== expectedBase) return { kind: 'moved', tip };
    const r = await this.repo.run([...NO_AUTO_MAINTENANCE, 'merge', '--ff-only', '--quiet', commit], { cwd });
    const after = await this.repo.branchTip(base);
    if (r.code === 0 && after === commit) {
      this.log.info('landed in the checked-out base', { base, cwd, commit });
      return { kind: 'landed', commit };
    }
    if (after !== expectedBase) {
      if (after === commit) return { kind: 'landed', commit };
      // the operator committed or switched branches at that moment: nothing of ours moved
      return { kind: 'moved', tip: after };
    }
    const why = `${r.stderr}\n${r.stdout}`.trim() || `git merge --ff-only exited ${r.code}`;
    return { kind: 'refused', message: `git refused to move ${base} in ${cwd}: ${why}` };
  }

  async committedFile(commit: string, path: string): Promise<string | null> {
    const r = await this.repo.run([
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${commit}:${path}`,
    ]);
    if (r.code !== 0) return null;
    return this.repo.ok(['cat-file', 'blob', r.stdout.trim()]);
  }

  mergeBaseIntoBranch(chunk: string, base: string): Promise<SendBackMerge> {
    const name = toChunkName(chunk);
    const cwd = this.deps.paths.worktree(name);
    return this.queue.run(async (): Promise<SendBackMerge> => {
      if (!existsSync(join(cwd, '.git'))) throw new NotFoundError('worktree', name);
      const identity = await this.repo.identityArgs();
      const msg = mergeMessage(base, unitBranch(name));
      const r = await this.repo.run(
        [...identity, ...NO_AUTO_MAINTENANCE, 'merge', '--no-edit', '-m', msg, base],
        {
          cwd,
        },
      );
      if (r.code === 0) return { kind: 'merged' };
      const unmerged = await this.repo.ok(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd });
      const files = unmerged.split('\0').filter((f) => f !== '');
      if ((await this.repo.mergeHead(cwd)) !== null) {
        const abort = await this.repo.run(['merge', '--abort'], { cwd });
        if (abort.code !== 0) throw gitFailed(['merge', '--abort'], cwd, abort);
      }
      if (files.length > 0) return { kind: 'conflict', files };
      throw gitFailed(['merge', base], cwd, r);
    });
  }
}
