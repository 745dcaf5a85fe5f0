/** GitLanding and GitVerifyCheckouts on real repositories. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isolateGitConfig, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { projectPaths } from '../config/paths.js';
import { silentLogger } from '../infra/json-logger.js';
import { GitLanding } from './git-landing.js';
import { GitVerifyCheckouts } from './verify-checkouts.js';

isolateGitConfig();

describe('GitLanding', () => {
  let repo: TestRepo;
  let landing: GitLanding;
  let alpha: string;
  let beta: string;
  beforeEach(() => {
    repo = makeTestRepo({ initialFiles: { 'src/shared.txt': 'one\ntwo\nthree\n' } });
    landing = new GitLanding({ root: repo.root, paths: projectPaths(repo.root), log: silentLogger });
    repo.git(['checkout', '-q', '-b', 'orch/alpha']);
    alpha = repo.commit({ 'src/alpha.txt': 'alpha\n' }, 'alpha');
    repo.git(['checkout', '-q', '-b', 'orch/beta', 'main']);
    beta = repo.commit({ 'src/beta.txt': 'beta\n' }, 'beta');
    repo.git(['checkout', '-q', '--detach', 'main']); // base not checked out anywhere
  });
  afterEach(() => repo.cleanup());

  const tip = (ref: string) => repo.git(['rev-parse', ref]);
  const spec = async (parent: string, branch: string, t: string) => {
    const m = await landing.speculate({ parent, branch, tip: t, base: 'main' });
    assert.equal(m.kind, 'commit');
    return (m as { commit: string }).commit;
  };

  it('builds a chain of speculative merges without moving any ref', async () => {
    const main = tip('main');
    const s1 = await spec(main, 'orch/alpha', alpha);
    const s2 = await spec(s1, 'orch/beta', beta);
    assert.equal(tip('main'), main, 'base did not move');
    assert.deepEqual(repo.git(['rev-list', '--parents', '-n1', s2]).split(' ').slice(1), [s1, beta]);
    assert.deepEqual(repo.git(['ls-tree', '--name-only', '-r', s2, 'src']).split('\n'), [
      'src/alpha.txt',
      'src/beta.txt',
      'src/shared.txt',
    ]);
    assert.equal(repo.git(['log', '-1', '--format=%s', s1]), "Merge branch 'orch/alpha' into main");
  });

  it('makes a merge commit even when a fast-forward were possible, and reports containment', async () => {
    const main = tip('main');
    const s1 = await spec(main, 'orch/alpha', alpha);
    assert.notEqual(s1, alpha);
    assert.equal(repo.git(['rev-parse', `${s1}^1`]), main, 'first parent is base');
    assert.deepEqual(
      await landing.speculate({ parent: s1, branch: 'orch/alpha', tip: alpha, base: 'main' }),
      {
        kind: 'contained',
      },
    );
  });

  it('reports the conflicting files', async () => {
    repo.git(['checkout', '-q', '-b', 'orch/gamma', 'main']);
    const gamma = repo.commit({ 'src/shared.txt': 'one\nGAMMA\nthree\n' }, 'gamma');
    repo.git(['checkout', '-q', 'main']);
    repo.commit({ 'src/shared.txt': 'one\nMAIN\nthree\n' }, 'main edit');
    repo.git(['checkout', '-q', '--detach']);
    const m = await landing.speculate({
      parent: tip('main'),
      branch: 'orch/gamma',
      tip: gamma,
      base: 'main',
    });
    assert.deepEqual(m, { kind: 'conflict', files: ['src/shared.txt'] });
  });

  it('lands by compare-and-swap, and reports a base that moved instead of overwriting it', async () => {
    const main = tip('main');
    const s1 = await spec(main, 'orch/alpha', alpha);
    const other = repo.git(['commit-tree', `${main}^{tree}`, '-p', main, '-m', 'someone else']);
    repo.git(['update-ref', 'refs/heads/main', other]);
    assert.deepEqual(await landing.land('main', main, s1), { kind: 'moved', tip: other });
    assert.equal(tip('main'), other);
    const s1b = await spec(other, 'orch/alpha', alpha);
    assert.deepEqual(await landing.land('main', other, s1b), { kind: 'landed', commit: s1b });
    assert.equal(tip('main'), s1b, 'base is exactly the verified commit');
  });

  it('fast-forwards the checked-out base in the operator’s working copy, keeping their edits', async () => {
    repo.git(['checkout', '-q', 'main']);
    repo.write('README.md', 'hello\noperator edit, not committed\n');
    const s1 = await spec(tip('main'), 'orch/alpha', alpha);
    assert.deepEqual(await landing.land('main', tip('main'), s1), { kind: 'landed', commit: s1 });
    assert.equal(tip('HEAD'), s1);
    assert.ok(existsSync(join(repo.root, 'src/alpha.txt')), 'the working copy has the landed file');
    assert.match(readFileSync(join(repo.root, 'README.md'), 'utf8'), /operator edit/);
  });

  it('refuses, changing nothing, when the operator’s edits are in the way', async () => {
    repo.git(['checkout', '-q', 'main']);
    repo.write('src/alpha.txt', 'the operator has an untracked file here\n');
    const main = tip('main');
    const s1 = await spec(main, 'orch/alpha', alpha);
    const r = await landing.land('main', main, s1);
    assert.equal(r.kind, 'refused');
    assert.equal(tip('main'), main);
    assert.equal(repo.read('src/alpha.txt'), 'the operator has an untracked file here\n');
  });

  it('merges base into a unit branch in its worktree, and aborts a conflicting one', async () => {
    const paths = projectPaths(repo.root);
    repo.git(['worktree', 'add', '-q', paths.worktree('beta'), 'orch/beta']);
    repo.git(['checkout', '-q', 'main']);
    repo.commit({ 'src/main-only.txt': 'x\n' }, 'main moves on');
    assert.deepEqual(await landing.mergeBaseIntoBranch('beta', 'main'), { kind: 'merged' });
    assert.ok(existsSync(join(paths.worktree('beta'), 'src/main-only.txt')));

    repo.commit({ 'src/shared.txt': 'one\nMAIN\nthree\n' }, 'main edit');
    repo.commit({ 'src/shared.txt': 'one\nBETA\nthree\n' }, 'beta edit', paths.worktree('beta'));
    const before = tip('orch/beta');
    assert.deepEqual(await landing.mergeBaseIntoBranch('beta', 'main'), {
      kind: 'conflict',
      files: ['src/shared.txt'],
    });
    assert.equal(tip('orch/beta'), before);
    assert.equal(repo.git(['status', '--porcelain'], paths.worktree('beta')), '', 'the merge was aborted');
  });

  it('reads a file as committed, and null when the commit has none', async () => {
    repo.git(['checkout', '-q', 'main']);
    repo.commit({ 've.yaml': 'verify_command: npm test\n' }, 'settings');
    repo.write('ve.yaml', 'verify_command: uncommitted\n');
    assert.equal(await landing.committedFile(tip('main'), 've.yaml'), 'verify_command: npm test\n');
    assert.equal(await landing.committedFile(tip('main'), 'nope.yaml'), null);
  });
});

describe('GitVerifyCheckouts', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeTestRepo({ initialFiles: { 'a.txt': 'a\n', '.gitignore': 'deps/\n' } });
  });
  afterEach(() => repo.cleanup());

  it('checks a slot out at any commit, resets it, keeps ignored files, and recreates a deleted one', async () => {
    const first = repo.git(['rev-parse', 'HEAD']);
    const second = repo.commit({ 'b.txt': 'b\n' }, 'second');
    const dir = join(repo.root, '.ve', 'verify');
    const checkouts = new GitVerifyCheckouts(repo.root, dir);
    const { path, readable } = await checkouts.prepare(0, second);
    assert.equal(readFileSync(join(path, 'b.txt'), 'utf8'), 'b\n');
    assert.ok(readable[0]?.endsWith(join('.git', 'objects')));
    repo.write('junk.txt', 'left by a test\n', path);
    repo.write('a.txt', 'modified by a test\n', path);
    repo.write('deps/lib.js', 'installed\n', path);
    await checkouts.prepare(0, first);
    assert.ok(!existsSync(join(path, 'b.txt')) && !existsSync(join(path, 'junk.txt')));
    assert.equal(readFileSync(join(path, 'a.txt'), 'utf8'), 'a\n');
    assert.ok(existsSync(join(path, 'deps/lib.js')), 'ignored files (installed dependencies) stay');
    assert.equal(repo.git(['worktree', 'list']).split('\n').length, 1, 'not a worktree of the project');
    rmSync(path, { recursive: true, force: true });
    await checkouts.prepare(0, second);
    assert.equal(readFileSync(join(path, 'b.txt'), 'utf8'), 'b\n');
  });
});
