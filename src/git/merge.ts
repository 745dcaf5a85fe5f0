/**
 * Lands a unit branch on the base branch. Base checked out somewhere → a plain `git merge` in that
 * working copy (git protects the operator's edits); otherwise merge-tree + commit-tree + a
 * compare-and-swap `update-ref`, touching no working copy. Cleanup is the caller's job.
 */
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';
import type { MergeResult } from '../ports/worktrees.js';
import { gitFailed } from './git-cli.js';
import { isObjectId, parseMergeTree } from './porcelain.js';
import { type GitRepo, NO_AUTO_MAINTENANCE } from './repo.js';

export interface MergeRequest {
  /** unit branch, e.g. `orch/x` */
  branch: string;
  /** its tip, read by the caller inside the mutation queue */
  tip: string;
  /** base branch name */
  base: string;
  /** base's tip if the caller read it together with `tip` (null: no such branch); read here when absent */
  baseTip?: string | null;
}

export interface MergeOptions {
  log: Logger;
  /** CAS attempts when base moves between computing the merge and updating the ref */
  attempts?: number;
  /** test seam: runs after the merge is computed and before the ref update */
  beforeRefUpdate?: () => Promise<void>;
}

export function mergeMessage(branch: string, base: string): string {
  return `Merge branch '${branch}' into ${base}`;
}

/** Merges `req.branch` into `req.base`; never forces, stashes or resets anything. */
export async function mergeIntoBase(
  repo: GitRepo,
  req: MergeRequest,
  opts: MergeOptions,
): Promise<MergeResult> {
  const baseTip = req.baseTip !== undefined ? req.baseTip : await repo.branchTip(req.base);
  if (baseTip === null) {
    const what = (await repo.commitOf(req.base)) ? 'is a commit, not a branch' : 'does not exist';
    return {
      kind: 'refused',
      message: `cannot merge ${req.branch}: base '${req.base}' ${what}; the work stays on ${req.branch}`,
    };
  }
  const mergeBase = await repo.mergeBase(req.tip, baseTip);
  if (mergeBase === req.tip) return { kind: 'merged', commit: null };
  const checkout = await repo.checkoutOf(req.base);
  if (checkout) return mergeInCheckout(repo, checkout.path, req, opts.log);
  return mergeByPlumbing(repo, req, opts, { tip: baseTip, mergeBase });
}

/** `git merge` in the working copy that has base checked out; git refuses if local edits are in the way. */
export async function mergeInCheckout(
  repo: GitRepo,
  cwd: string,
  req: MergeRequest,
  log: Logger,
): Promise<MergeResult> {
  if ((await repo.mergeHead(cwd)) !== null) {
    return {
      kind: 'refused',
      message: `a merge is already in progress in ${cwd}; finish or abort it, then retry the merge of ${req.branch}`,
    };
  }
  const identity = await repo.identityArgs();
  // no auto maintenance inside the mutation queue: GitWorktrees runs it outside, now and then
  const merge = ['merge', '--no-edit', '-m', mergeMessage(req.branch, req.base), req.tip];
  const args = [...identity, ...NO_AUTO_MAINTENANCE, ...merge];
  const r = await repo.run(args, { cwd });
  if (r.code === 0) {
    // `git merge` merges into whatever that working copy has checked out *now*: if the operator
    // switched branches since we looked, the merge went there. Only a base that contains the tip counts.
    const baseNow = await repo.branchContaining(req.base, req.tip);
    if (baseNow === null) {
      const head = (await repo.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd })).stdout.trim();
      log.warn('checkout switched branches during the merge', {
        branch: req.branch,
        base: req.base,
        cwd,
        head,
      });
      return {
        kind: 'refused',
        message: `the working copy ${cwd} switched to ${head || 'a detached HEAD'} while ${req.branch} was being merged into ${req.base}, so git merged it there instead; ${req.base} is unchanged and ${req.branch} is kept. Check that branch, then retry`,
      };
    }
    log.info('merged into checked-out base', { branch: req.branch, base: req.base, cwd, commit: baseNow });
    return { kind: 'merged', commit: baseNow };
  }
  // a conflict leaves our merge in progress; a refusal (local edits in the way) leaves nothing behind
  if ((await repo.mergeHead(cwd)) === req.tip) {
    const unmerged = await repo.ok(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd });
    const files = unmerged.split('\0').filter((f) => f !== '');
    const abort = await repo.run(['merge', '--abort'], { cwd });
    if (abort.code !== 0) {
      // another git command (the operator's checkout or commit) took over the merge state meanwhile
      if ((await repo.mergeHead(cwd)) === null) {
        return {
          kind: 'refused',
          message: `the merge of ${req.branch} into ${req.base} in ${cwd} was interrupted by another git command there (${firstLine(r.stderr)}); check that working copy, then retry`,
        };
      }
      throw gitFailed(['merge', '--abort'], cwd, abort);
    }
    if (files.length === 0) {
      log.info('git merge stopped without conflicts; merge aborted', { branch: req.branch, base: req.base });
      return {
        kind: 'refused',
        message: `git could not finish merging ${req.branch} into ${req.base} in ${cwd}: ${r.stderr.trim() || `exit ${r.code}`}`,
      };
    }
    log.info('merge conflict; merge aborted', { branch: req.branch, base: req.base, files });
    return { kind: 'conflict', files, message: conflictMessage(req, files) };
  }
  const why = `${r.stderr}\n${r.stdout}`.trim() || `git merge exited ${r.code}`;
  log.info('git refused the merge', { branch: req.branch, base: req.base, cwd, exitCode: r.code });
  return {
    kind: 'refused',
    message: `git refused to merge ${req.branch} into ${req.base} in ${cwd}: ${why}`,
  };
}

/** A tip of base just read, and its merge base with the branch (which is not the branch's tip). */
export interface KnownBase {
  tip: string;
  mergeBase: string | null;
}

/**
 * Merge without a working copy: fast-forward or merge-tree + commit-tree, then update-ref with CAS.
 * `known` saves re-reading base on the first attempt.
 */
export async function mergeByPlumbing(
  repo: GitRepo,
  req: MergeRequest,
  opts: MergeOptions,
  known?: KnownBase,
): Promise<MergeResult> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const old = attempt === 1 && known ? known.tip : await repo.branchTip(req.base);
    if (old === null) return { kind: 'refused', message: `base '${req.base}' disappeared during the merge` };
    const mergeBase = attempt === 1 && known ? known.mergeBase : await repo.mergeBase(req.tip, old);
    if (mergeBase === req.tip) return { kind: 'merged', commit: null };
    const computed = await computeMerge(repo, req, old, mergeBase === old);
    if (computed.kind === 'conflict') return computed;
    await opts.beforeRefUpdate?.();
    // never move a checked-out branch behind its working copy's back
    const checkout = await repo.checkoutOf(req.base);
    if (checkout) return mergeInCheckout(repo, checkout.path, req, opts.log);
    const ref = `refs/heads/${req.base}`;
    const args = ['update-ref', '-m', `ve: ${mergeMessage(req.branch, req.base)}`, ref, computed.commit, old];
    const r = await repo.run(args);
    if (r.code === 0) {
      opts.log.info('merged by ref update', { branch: req.branch, base: req.base, commit: computed.commit });
      await catchUpCheckout(repo, req.base, old, computed.commit, opts.log);
      return { kind: 'merged', commit: computed.commit };
    }
    const now = await repo.branchTip(req.base);
    if (now === old) throw gitFailed(args, repo.root, r);
    opts.log.info('base moved during merge; retrying', { branch: req.branch, base: req.base, attempt });
  }
  throw new OrchError(
    ErrorCode.conflict,
    `base '${req.base}' kept moving while merging ${req.branch} (${attempts} attempts); retry later`,
    { branch: req.branch, base: req.base, attempts },
  );
}

/**
 * The operator may check base out between our look and the ref update (git has no lock for that).
 * Their working copy then sits at `old` while base points at `next`: a commit from it would undo the
 * merge. Bring it along as `git checkout` would (a two-way read-tree keeps their local edits, and
 * refuses rather than overwrite one); if that is refused, say so loudly.
 */
export async function catchUpCheckout(repo: GitRepo, base: string, old: string, next: string, log: Logger) {
  const checkout = await repo.checkoutOf(base);
  if (!checkout) return;
  const atNext = await repo.run(['diff-index', '--cached', '--quiet', next, '--'], { cwd: checkout.path });
  if (atNext.code === 0) return;
  const r = await repo.run(['read-tree', '-m', '-u', old, next], { cwd: checkout.path });
  if (r.code === 0)
    log.warn('base was checked out during the merge; brought its working copy along', {
      base,
      cwd: checkout.path,
    });
  else
    log.error('base was checked out during the merge and its working copy could not follow', {
      base,
      cwd: checkout.path,
      stderr: r.stderr.trim(),
    });
}

export type Computed = { kind: 'commit'; commit: string } | Extract<MergeResult, { kind: 'conflict' }>;

export async function computeMerge(
  repo: GitRepo,
  req: MergeRequest,
  old: string,
  fastForward: boolean,
): Promise<Computed> {
  if (fastForward) return { kind: 'commit', commit: req.tip };
  const args = [
    '-c',
    'core.quotePath=false',
    'merge-tree',
    '--write-tree',
    '--name-only',
    '--messages',
    old,
    req.tip,
  ];
  const r = await repo.run(args);
  const { tree, files, messages } = parseMergeTree(r.stdout);
  // exit 1 with a tree id is a conflict; exit 1 without one is git failing to merge at all
  if (r.code === 1 && isObjectId(tree)) {
    return { kind: 'conflict', files, message: conflictMessage(req, files, messages) };
  }
  if (r.code !== 0 || !isObjectId(tree)) throw gitFailed(args, repo.root, r);
  const identity = await repo.identityArgs();
  const commitArgs = [...identity, 'commit-tree', tree, '-p', old, '-p', req.tip];
  const commit = (await repo.ok(commitArgs, { input: `${mergeMessage(req.branch, req.base)}\n` })).trim();
  return { kind: 'commit', commit };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function conflictMessage(req: MergeRequest, files: string[], messages = ''): string {
  const conflictLines = messages
    .split('\n')
    .filter((l) => l.startsWith('CONFLICT'))
    .slice(0, 20);
  const head = `Merge conflict between ${req.branch} and ${req.base}${files.length ? ` in ${files.join(', ')}` : ''}`;
  return conflictLines.length ? `${head}\n${conflictLines.join('\n')}` : head;
}
