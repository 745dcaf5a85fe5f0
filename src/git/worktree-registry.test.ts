/** WorktreeRegistry.remove on real repositories: locked, half-gone and unknown worktrees. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isolateGitConfig, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { silentLogger } from '../infra/json-logger.js';
import { GitRepo } from './repo.js';
import { WorktreeRegistry } from './worktree-registry.js';

isolateGitConfig();

describe('WorktreeRegistry.remove', () => {
  let repo: TestRepo;
  let registry: WorktreeRegistry;
  let path: string;
  const registered = () => repo.git(['worktree', 'list', '--porcelain']).includes(path);
  beforeEach(() => {
    repo = makeTestRepo();
    registry = new WorktreeRegistry(new GitRepo(repo.root), silentLogger);
    path = join(repo.root, '.ve', 'chunks', 'alpha', 'worktree');
  });
  afterEach(() => repo.cleanup());

  it('removes a locked worktree with uncommitted and untracked files', async () => {
    await registry.add('alpha', path, 'orch/alpha', 'main');
    writeFileSync(join(path, 'README.md'), 'edited\n');
    writeFileSync(join(path, 'new.txt'), 'untracked\n');
    assert.match(repo.git(['worktree', 'list', '--porcelain']), /locked/);
    await registry.remove(path);
    assert.equal(existsSync(path), false);
    assert.equal(registered(), false);
    assert.deepEqual(repo.branches('orch/'), ['orch/alpha'], 'the branch is not the registry’s to delete');
  });

  it('drops a locked registration whose directory is already gone', async () => {
    await registry.add('alpha', path, 'orch/alpha', 'main');
    rmSync(path, { recursive: true, force: true });
    await registry.remove(path);
    assert.equal(registered(), false);
    // and the same worktree can be made again
    await registry.add('alpha', path, 'orch/alpha', 'main');
    assert.equal(existsSync(join(path, '.git')), true);
  });

  it('deletes a directory git does not know, and is a no-op when nothing is there', async () => {
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'leftover'), 'x\n');
    await registry.remove(path);
    assert.equal(existsSync(path), false);
    await registry.remove(path);
    assert.equal(existsSync(path), false);
  });
});
