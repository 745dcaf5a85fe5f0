/**
 * A worktree's working state as one commit, on the daemon's side (the host side is SNAPSHOT_STATE and
 * APPLY_STATE in remote-scripts.ts, the same steps in sh). A remote unit's work moves between its
 * host and the daemon's copy of its worktree at phase boundaries: the branch as it is, and the
 * uncommitted and untracked files as a state commit on top of it, so the post-phase checks, the
 * daemon's own edits between phases (review feedback, status) and the merge see exactly what the
 * agent left. Ignored files (installed dependencies, build output) stay where they are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitOk } from '../git/git-cli.js';

/** Fixed identity and date: an unchanged state is the same commit, and no host config is needed. */
const STATE_IDENTITY = {
  GIT_AUTHOR_NAME: 've',
  GIT_AUTHOR_EMAIL: 've@localhost',
  GIT_AUTHOR_DATE: '@0 +0000',
  GIT_COMMITTER_NAME: 've',
  GIT_COMMITTER_EMAIL: 've@localhost',
  GIT_COMMITTER_DATE: '@0 +0000',
};

/** HEAD of the worktree and a commit on top of it holding every file that is not ignored. */
export async function snapshotWorktree(dir: string): Promise<{ head: string; state: string }> {
  const scratch = mkdtempSync(join(tmpdir(), 've-state-'));
  const env = { ...STATE_IDENTITY, GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    const head = (await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).trim();
    await gitOk(['read-tree', 'HEAD'], { cwd: dir, env });
    await gitOk(['add', '-A'], { cwd: dir, env });
    const tree = (await gitOk(['write-tree'], { cwd: dir, env })).trim();
    const state = (
      await gitOk(['commit-tree', tree, '-p', head], { cwd: dir, env, input: 've: working state\n' })
    ).trim();
    return { head, state };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Makes the worktree hold `state` on top of its current HEAD: tracked files reset, untracked ones that
 * are not ignored removed, then the state's files written as uncommitted changes (the index stays at
 * HEAD, as after an agent's edits).
 */
export async function applyWorkingState(dir: string, state: string): Promise<void> {
  await gitOk(['reset', '-q', '--hard'], { cwd: dir });
  await gitOk(['clean', '-fdq'], { cwd: dir });
  await gitOk(['read-tree', '--reset', '-u', state], { cwd: dir });
  await gitOk(['reset', '-q'], { cwd: dir });
}
