/** GitRepo's batched and file-backed queries agree with the one-spawn-per-question ones. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isolateGitConfig, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { canonical, GitRepo } from './repo.js';

isolateGitConfig();

describe('GitRepo', () => {
  let repo: TestRepo;
  let git: GitRepo;
  let main: string;
  beforeEach(() => {
    repo = makeTestRepo({ initialFiles: { 'a.txt': 'a\n' } });
    git = new GitRepo(repo.root);
    main = repo.git(['rev-parse', 'main']);
  });
  afterEach(() => repo.cleanup());

  it('commitsOf resolves several revisions in one go, exactly as commitOf does one by one', async () => {
    repo.git(['tag', '-a', 'v1', '-m', 'annotated']);
    const tree = repo.git(['rev-parse', 'main^{tree}']);
    const revs = ['refs/heads/main', 'main', 'refs/heads/nope', 'v1', tree, main.slice(0, 12), 'HEAD~5'];
    const one = await Promise.all(revs.map((r) => git.commitOf(r)));
    assert.deepEqual(one, [main, main, null, main, null, main, null]);
    assert.deepEqual(await git.commitsOf(revs), one);
    // a name the line protocol cannot carry still gets an answer
    assert.deepEqual(await git.commitsOf(['main', 'a\nb']), [main, null]);
    assert.deepEqual(await git.branchTipsOf(['main', 'nope']), [main, null]);
  });

  it('mergeBase is the ancestor itself exactly when one contains the other', async () => {
    repo.git(['checkout', '-q', '-b', 'topic']);
    const ahead = repo.commit({ 'b.txt': 'b\n' }, 'topic');
    assert.equal(await git.mergeBase(main, ahead), main);
    assert.equal(await git.mergeBase(ahead, main), main);
    repo.git(['checkout', '-q', 'main']);
    repo.commit({ 'c.txt': 'c\n' }, 'main moves');
    assert.equal(await git.mergeBase(ahead, 'main'), main);
    const orphan = repo.git(['commit-tree', repo.git(['rev-parse', 'main^{tree}']), '-m', 'no parents']);
    assert.equal(await git.mergeBase(orphan, 'main'), null);
  });

  it('branchContaining gives the tip of a branch that contains the commit, and null otherwise', async () => {
    repo.git(['checkout', '-q', '-b', 'orch/a/deeper']);
    const ahead = repo.commit({ 'b.txt': 'b\n' }, 'deeper');
    assert.equal(await git.branchContaining('main', main), main);
    assert.equal(await git.branchContaining('main', ahead), null);
    assert.equal(await git.branchContaining('orch/a/deeper', main), ahead);
    // refs/heads/orch/a does not exist; the pattern must not match orch/a/deeper for it
    assert.equal(await git.branchContaining('orch/a', main), null);
    assert.equal(await git.branchContaining('nope', main), null);
  });

  it('checkoutOf answers as git worktree list does, mostly from HEAD files', async () => {
    const wt = join(repo.root, 'linked');
    repo.git(['worktree', 'add', '-q', '-b', 'topic', wt]);
    assert.deepEqual(await git.checkoutOf('main'), { path: repo.root });
    assert.equal(canonical((await git.checkoutOf('topic'))?.path ?? ''), canonical(wt));
    assert.equal(await git.checkoutOf('other'), null);
    repo.git(['checkout', '-q', '--detach']);
    assert.equal(await git.checkoutOf('main'), null);
    // a linked worktree whose directory is gone is prunable: no working copy has the branch
    repo.git(['checkout', '-q', 'main']);
    repo.git(['worktree', 'add', '-q', '-b', 'gone', join(repo.root, 'gone')]);
    assert.notEqual(await git.checkoutOf('gone'), null);
    rmSync(join(repo.root, 'gone'), { recursive: true, force: true });
    assert.equal(await git.checkoutOf('gone'), null);
  });

  it('mergeHead reads the merge in progress of the main or a linked worktree', async () => {
    const wt = join(repo.root, 'linked');
    repo.git(['worktree', 'add', '-q', '-b', 'topic', wt]);
    repo.commit({ 'a.txt': 'topic\n' }, 'topic edits a', wt);
    repo.git(['checkout', '-q', '-b', 'side']);
    const side = repo.commit({ 'a.txt': 'side\n' }, 'side edits a');
    repo.git(['checkout', '-q', 'main']);
    assert.throws(() => repo.git(['merge', '-q', 'side'], wt), 'conflict in the linked worktree');
    assert.equal(await git.mergeHead(wt), side);
    assert.equal(await git.mergeHead(repo.root), null);
    assert.equal(await git.commitOf('MERGE_HEAD', wt), side, 'what git itself says');
  });
});
