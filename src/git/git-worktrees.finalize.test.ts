/**
 * finalize on real repositories: both merge paths, the operator's uncommitted work, refusals and
 * conflicts, re-runs after a crash at any point, and many finalizes at once through the queue.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { makeAdapter, unitWithCommit } from '../../test/support/git-adapter.js';
import { isolateGitConfig, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import type { GitWorktrees } from './git-worktrees.js';

isolateGitConfig();

const A = 'a1\na2\na3\na4\na5\n';

describe('GitWorktrees.finalize', () => {
  let repo: TestRepo;
  let wt: GitWorktrees;
  beforeEach(() => {
    repo = makeTestRepo({ initialFiles: { 'src/a.txt': A, 'src/b.txt': 'b1\n' } });
    wt = makeAdapter(repo);
  });
  afterEach(() => repo.cleanup());

  const tip = (ref: string) => repo.git(['rev-parse', ref]);
  const parents = (ref: string) => repo.git(['log', '-1', '--format=%P', ref]).split(' ').filter(Boolean);
  const gone = (chunk: string) => {
    assert.equal(existsSync(join(repo.root, `.ve/chunks/${chunk}/worktree`)), false, 'worktree removed');
    assert.deepEqual(repo.branches(`orch/${chunk}`), [], 'branch deleted');
    assert.equal(repo.git(['worktree', 'list']).includes(`chunks/${chunk}`), false, 'registration pruned');
  };
  const kept = (chunk: string) => {
    assert.equal(existsSync(join(repo.root, `.ve/chunks/${chunk}/worktree/.git`)), true, 'worktree kept');
    assert.deepEqual(repo.branches(`orch/${chunk}`), [`orch/${chunk}`], 'branch kept');
  };

  it('with nothing ahead of base just cleans up', async () => {
    await wt.ensure('alpha', { baseBranch: 'main' });
    const before = tip('main');
    assert.deepEqual(await wt.finalize('alpha', 'main'), { kind: 'merged', commit: null });
    assert.equal(tip('main'), before);
    gone('alpha');
  });

  it('commits leftovers before merging them', async () => {
    const e = await wt.ensure('alpha', { baseBranch: 'main' });
    repo.write('left.txt', 'leftover\n', e.path);
    const r = await wt.finalize('alpha', 'main');
    assert.equal(r.kind, 'merged');
    assert.equal(repo.git(['show', 'main:left.txt']), 'leftover');
    gone('alpha');
  });

  describe('base not checked out anywhere (merge-tree + update-ref)', () => {
    beforeEach(() => {
      repo.git(['checkout', '-q', '-b', 'operator-topic']);
    });

    it("fast-forwards when possible and leaves the operator's checkout alone", async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/b.txt': 'b-unit\n' });
      const unitTip = tip('orch/alpha');
      repo.write('src/a.txt', 'operator edit\n');
      repo.write('scratch.txt', 'untracked\n');
      const status = repo.git(['status', '--porcelain']);
      const r = await wt.finalize('alpha', 'main');
      assert.deepEqual(r, { kind: 'merged', commit: unitTip });
      assert.equal(tip('main'), unitTip);
      assert.equal(repo.git(['rev-parse', '--abbrev-ref', 'HEAD']), 'operator-topic');
      assert.equal(repo.git(['status', '--porcelain']), status);
      assert.equal(repo.read('src/a.txt'), 'operator edit\n');
      assert.equal(repo.read('src/b.txt'), 'b1\n', 'working copy of another branch untouched');
      gone('alpha');
    });

    it('creates a two-parent merge commit when base moved', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/b.txt': 'b-unit\n' });
      const unitTip = tip('orch/alpha');
      repo.git(['checkout', '-q', 'main']);
      const baseMoved = repo.commit({ 'other.txt': 'o\n' }, 'base moves');
      repo.git(['checkout', '-q', 'operator-topic']);
      const r = await wt.finalize('alpha', 'main');
      assert.equal(r.kind, 'merged');
      assert.equal(r.kind === 'merged' && r.commit, tip('main'));
      assert.deepEqual(parents('main'), [baseMoved, unitTip]);
      assert.equal(repo.git(['log', '-1', '--format=%s', 'main']), "Merge branch 'orch/alpha' into main");
      assert.equal(repo.git(['show', 'main:src/b.txt']), 'b-unit');
      assert.equal(repo.git(['show', 'main:other.txt']), 'o');
      gone('alpha');
    });

    it('reports a conflict, keeps worktree and branch, leaves base unchanged', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/a.txt': 'unit\na2\na3\na4\na5\n' });
      repo.git(['checkout', '-q', 'main']);
      repo.commit({ 'src/a.txt': 'base\na2\na3\na4\na5\n' }, 'base edits the same line');
      repo.git(['checkout', '-q', 'operator-topic']);
      const before = tip('main');
      const r = await wt.finalize('alpha', 'main');
      assert.equal(r.kind, 'conflict');
      assert.deepEqual(r.kind === 'conflict' && r.files, ['src/a.txt']);
      assert.match(
        r.kind === 'conflict' ? r.message : '',
        /Merge conflict between orch\/alpha and main in src\/a\.txt/,
      );
      assert.equal(tip('main'), before);
      kept('alpha');
    });

    it('refuses a base that is a commit rather than a branch, keeping the work', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      const r = await wt.finalize('alpha', tip('main'));
      assert.equal(r.kind, 'refused');
      assert.match(r.kind === 'refused' ? r.message : '', /is a commit, not a branch/);
      kept('alpha');
    });
  });

  describe("base checked out in the operator's working copy (git merge)", () => {
    it('merges and keeps non-conflicting uncommitted edits of the operator', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/b.txt': 'b-unit\n', 'new.txt': 'n\n' });
      repo.commit({ 'other.txt': 'o\n' }, 'base moves, so this is a real merge');
      repo.write('src/a.txt', 'operator edit\n');
      repo.write('scratch.txt', 'untracked\n');
      const r = await wt.finalize('alpha', 'main');
      assert.equal(r.kind, 'merged');
      assert.equal(r.kind === 'merged' && r.commit, tip('main'));
      assert.equal(parents('main').length, 2);
      assert.equal(repo.read('src/b.txt'), 'b-unit\n', 'working copy follows the merge');
      assert.equal(repo.read('new.txt'), 'n\n');
      assert.equal(repo.read('src/a.txt'), 'operator edit\n');
      assert.equal(repo.read('scratch.txt'), 'untracked\n');
      assert.deepEqual(repo.git(['status', '--porcelain']).split('\n'), [' M src/a.txt', '?? scratch.txt']);
      gone('alpha');
    });

    it('is refused when the operator edits a file the branch changes; the edits stay intact', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/a.txt': 'unit\na2\na3\na4\na5\n' });
      repo.write('src/a.txt', 'operator edit\n');
      const before = tip('main');
      const r = await wt.finalize('alpha', 'main');
      assert.equal(r.kind, 'refused');
      assert.match(r.kind === 'refused' ? r.message : '', /would be overwritten by merge/);
      assert.equal(repo.read('src/a.txt'), 'operator edit\n');
      assert.equal(tip('main'), before);
      assert.equal(repo.git(['status', '--porcelain']), ' M src/a.txt');
      kept('alpha');
    });

    it('aborts a conflicting merge, keeps base and the operator’s other edits, reports the files', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/a.txt': 'unit\na2\na3\na4\na5\n' });
      repo.commit({ 'src/a.txt': 'base\na2\na3\na4\na5\n' }, 'base edits the same line');
      repo.write('src/b.txt', 'operator edit\n');
      const before = tip('main');
      const r = await wt.finalize('alpha', 'main');
      assert.equal(r.kind, 'conflict');
      assert.deepEqual(r.kind === 'conflict' && r.files, ['src/a.txt']);
      assert.equal(tip('main'), before);
      assert.equal(existsSync(join(repo.root, '.git/MERGE_HEAD')), false, 'merge aborted');
      assert.equal(repo.read('src/a.txt'), 'base\na2\na3\na4\na5\n');
      assert.equal(repo.read('src/b.txt'), 'operator edit\n');
      assert.equal(repo.git(['status', '--porcelain']), ' M src/b.txt');
      kept('alpha');
    });

    it("never touches the operator's own merge in progress", async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      repo.git(['checkout', '-q', '-b', 'side']);
      repo.commit({ 'src/a.txt': 'side\n' }, 'side');
      repo.git(['checkout', '-q', 'main']);
      repo.commit({ 'src/a.txt': 'main\n' }, 'main');
      assert.throws(() => repo.git(['merge', 'side']));
      const r = await wt.finalize('alpha', 'main');
      assert.equal(r.kind, 'refused');
      assert.match(r.kind === 'refused' ? r.message : '', /merge is already in progress/);
      assert.equal(existsSync(join(repo.root, '.git/MERGE_HEAD')), true, "operator's merge untouched");
      kept('alpha');
    });
  });

  describe('base checked out in a linked worktree of the operator', () => {
    let linked: string;
    beforeEach(() => {
      linked = join(repo.root, '..', `${repo.root.split('/').pop()}-release`);
      repo.git(['worktree', 'add', '-q', '-b', 'release', linked, 'main']);
      repo.git(['checkout', '-q', '-b', 'operator-topic']);
    });
    afterEach(() => rmSync(linked, { recursive: true, force: true }));

    it('merges there with git merge, keeping that working copy’s uncommitted edits', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/b.txt': 'b-unit\n' }, 'release');
      repo.commit({ 'other.txt': 'o\n' }, 'release moves', linked);
      repo.write('src/a.txt', 'operator edit\n', linked);
      const r = await wt.finalize('alpha', 'release');
      assert.equal(r.kind, 'merged');
      assert.equal(r.kind === 'merged' && r.commit, tip('release'));
      assert.equal(parents('release').length, 2);
      assert.equal(repo.read('src/b.txt', linked), 'b-unit\n', 'the linked working copy follows');
      assert.equal(repo.git(['status', '--porcelain'], linked), ' M src/a.txt');
      gone('alpha');
    });

    it('refuses while the operator has a merge in progress there (its own MERGE_HEAD)', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' }, 'release');
      repo.commit({ 'src/a.txt': 'release\n' }, 'release', linked);
      repo.git(['checkout', '-q', '-b', 'side', 'main']);
      repo.commit({ 'src/a.txt': 'side\n' }, 'side');
      repo.git(['checkout', '-q', 'operator-topic']);
      assert.throws(() => repo.git(['merge', 'side'], linked));
      const before = tip('release');
      const r = await wt.finalize('alpha', 'release');
      assert.equal(r.kind, 'refused');
      assert.match(r.kind === 'refused' ? r.message : '', /merge is already in progress/);
      assert.equal(repo.git(['rev-parse', 'MERGE_HEAD'], linked), tip('side'), "operator's merge untouched");
      assert.equal(tip('release'), before);
      kept('alpha');
    });
  });

  describe('re-run after a crash', () => {
    it('merge landed but worktree still there: cleans up without merging again', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      repo.commit({ 'other.txt': 'o\n' }, 'base moves');
      repo.git(['merge', '-q', '--no-edit', 'orch/alpha']);
      const merged = tip('main');
      assert.deepEqual(await wt.finalize('alpha', 'main'), { kind: 'merged', commit: null });
      assert.equal(tip('main'), merged);
      gone('alpha');
    });

    it('worktree removed but branch unmerged: merges exactly once', async () => {
      const e = await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      repo.git(['checkout', '-q', '-b', 'operator-topic']);
      repo.git(['checkout', '-q', 'main']);
      repo.commit({ 'other.txt': 'o\n' }, 'base moves');
      const before = tip('main');
      repo.git(['checkout', '-q', 'operator-topic']);
      repo.git(['worktree', 'unlock', e.path]);
      repo.git(['worktree', 'remove', '--force', e.path]);
      const unitTip = tip('orch/alpha');
      const r = await wt.finalize('alpha', 'main');
      assert.equal(r.kind, 'merged');
      assert.deepEqual(parents('main'), [before, unitTip]);
      assert.equal(repo.git(['rev-list', '--count', `${before}..main`]), '2');
      gone('alpha');
      const after = tip('main');
      assert.deepEqual(await wt.finalize('alpha', 'main'), { kind: 'merged', commit: null });
      assert.equal(tip('main'), after);
    });

    it('a repeated finalize after success is a no-op', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      const first = await wt.finalize('alpha', 'main');
      assert.equal(first.kind, 'merged');
      const after = tip('main');
      assert.deepEqual(await wt.finalize('alpha', 'main'), { kind: 'merged', commit: null });
      assert.equal(tip('main'), after);
    });
  });

  describe('concurrency', () => {
    const landAll = async (base: string) => {
      const chunks = Array.from({ length: 10 }, (_, i) => `unit${i}`);
      for (const c of chunks) await unitWithCommit(wt, repo, c, { [`${c}.txt`]: `${c}\n` }, base);
      const start = tip(base);
      // two adapter instances on one repository share its queue
      const other = makeAdapter(repo);
      const results = await Promise.all(chunks.map((c, i) => (i % 2 ? other : wt).finalize(c, base)));
      assert.deepEqual(
        results.map((r) => r.kind),
        chunks.map(() => 'merged'),
      );
      for (const c of chunks) {
        assert.equal(repo.git(['show', `${base}:${c}.txt`]), c, `${c} landed`);
        gone(c);
      }
      // every unit is exactly one step on the first-parent chain: one merge commit or fast-forward each
      const steps = repo.git(['rev-list', '--first-parent', '--count', `${start}..${base}`]);
      assert.equal(steps, '10');
    };

    it('10 finalizes in parallel with base not checked out all land', async () => {
      repo.git(['checkout', '-q', '-b', 'operator-topic']);
      await landAll('main');
      assert.equal(repo.git(['rev-parse', '--abbrev-ref', 'HEAD']), 'operator-topic');
    });

    it('10 finalizes in parallel into the checked-out base all land', async () => {
      repo.write('src/a.txt', 'operator edit\n');
      await landAll('main');
      assert.equal(repo.read('src/a.txt'), 'operator edit\n');
      assert.equal(repo.git(['status', '--porcelain']), ' M src/a.txt');
    });
  });
});
