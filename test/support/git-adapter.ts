/** Builds a GitWorktrees on a TestRepo, with a silent logger, plus a unit helper for git tests. */
import { projectPaths } from '../../src/config/paths.js';
import { GitWorktrees, type GitWorktreesDeps } from '../../src/git/git-worktrees.js';
import { silentLogger } from '../../src/infra/json-logger.js';
import type { EnsuredWorktree } from '../../src/ports/worktrees.js';
import type { TestRepo } from './git-repo.js';

export function makeAdapter(repo: TestRepo, extra: Partial<GitWorktreesDeps> = {}): GitWorktrees {
  return new GitWorktrees({ root: repo.root, paths: projectPaths(repo.root), log: silentLogger, ...extra });
}

/** Ensures the unit's worktree, writes `files` into it and commits them through the adapter. */
export async function unitWithCommit(
  wt: GitWorktrees,
  repo: TestRepo,
  chunk: string,
  files: Record<string, string>,
  baseBranch = 'main',
): Promise<EnsuredWorktree> {
  const ensured = await wt.ensure(chunk, { baseBranch });
  for (const [rel, content] of Object.entries(files)) repo.write(rel, content, ensured.path);
  await wt.commitAll(chunk, `work on ${chunk}`);
  return ensured;
}
