/** GitWorktrees on a real repository against the Worktrees contract (the fake runs the same suite). */
import { describeWorktrees } from '../../test/contracts/worktrees.contract.js';
import { makeAdapter } from '../../test/support/git-adapter.js';
import { makeTestRepo } from '../../test/support/git-repo.js';

describeWorktrees('GitWorktrees on a real repository', async () => {
  const repo = makeTestRepo();
  return { worktrees: makeAdapter(repo), base: 'main', cleanup: () => repo.cleanup() };
});
