/** boundedDiff: committed plus uncommitted work, cut at the byte limit with a note. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isolateGitConfig, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { boundedDiff } from './diff.js';
import { GitRepo } from './repo.js';

isolateGitConfig();

describe('boundedDiff', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeTestRepo();
    repo.git(['checkout', '-q', '-b', 'orch/alpha']);
    repo.commit({ 'big.txt': `${'x'.repeat(80)}\n`.repeat(200) }, 'big change');
  });
  afterEach(() => repo.cleanup());

  it('returns the whole diff under the limit', async () => {
    const tip = repo.git(['rev-parse', 'HEAD']);
    const d = await boundedDiff(new GitRepo(repo.root), { base: 'main', tip, worktree: null });
    assert.match(d, /^diff --git a\/big\.txt b\/big\.txt/);
    assert.doesNotMatch(d, /truncated/);
  });

  it('cuts a larger diff at the limit and says so', async () => {
    const tip = repo.git(['rev-parse', 'HEAD']);
    repo.write('more.txt', 'untracked\n');
    const d = await boundedDiff(new GitRepo(repo.root), { base: 'main', tip, worktree: repo.root }, 1000);
    assert.ok(Buffer.byteLength(d) < 1100, `length ${Buffer.byteLength(d)}`);
    assert.match(d, /\n# diff truncated at 1000 bytes\n$/);
    assert.doesNotMatch(d, /more\.txt/);
  });
});
