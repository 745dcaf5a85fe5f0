import assert from 'node:assert/strict';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeAdapter, unitWithCommit } from '../../test/support/git-adapter.js';
import { isolateGitConfig, makeTestRepo } from '../../test/support/git-repo.js';

isolateGitConfig();

describe('git hooks', () => {
  it('never runs a hook planted in the shared .git/hooks during the orchestrator’s commits and merges', async () => {
    const repo = makeTestRepo();
    const marker = join(repo.root, '..', `hook-ran-${process.pid}`);
    for (const hook of [
      'pre-commit',
      'post-commit',
      'commit-msg',
      'post-merge',
      'pre-merge-commit',
      'reference-transaction',
    ]) {
      const path = join(repo.root, '.git', 'hooks', hook);
      writeFileSync(path, `#!/bin/sh\necho ${hook} >> ${marker}\n`);
      chmodSync(path, 0o755);
    }
    const wt = makeAdapter(repo);
    await unitWithCommit(wt, repo, 'feat', { 'src/feat.txt': 'x\n' });
    repo.write('src/feat.txt', 'leftover\n', join(repo.root, '.ve', 'chunks', 'feat', 'worktree'));
    const result = await wt.finalize('feat', 'main');
    assert.equal(result.kind, 'merged');
    assert.ok(!existsSync(marker), 'no hook ran');
  });
});
