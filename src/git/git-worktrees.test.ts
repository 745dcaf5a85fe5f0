/** GitWorktrees on real repositories: base detection, ensure, include files, commit, probe, list, remove. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { makeAdapter, unitWithCommit } from '../../test/support/git-adapter.js';
import { isolateGitConfig, makeEmptyRepo, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { isOrchError } from '../domain/errors.js';
import { silentLogger } from '../infra/json-logger.js';
import type { GitWorktrees } from './git-worktrees.js';
import { GitRepo } from './repo.js';
import { WorktreeRegistry } from './worktree-registry.js';

isolateGitConfig();

describe('GitWorktrees', () => {
  let repo: TestRepo;
  let wt: GitWorktrees;
  beforeEach(() => {
    repo = makeTestRepo({ initialFiles: { 'src/a.txt': 'a1\na2\na3\n', 'src/b.txt': 'b1\n' } });
    wt = makeAdapter(repo);
  });
  afterEach(() => repo.cleanup());

  describe('defaultBase', () => {
    it('is the current branch, or the commit when HEAD is detached', async () => {
      assert.equal(await wt.defaultBase(), 'main');
      repo.git(['checkout', '-q', '--detach']);
      assert.equal(await wt.defaultBase(), repo.git(['rev-parse', 'HEAD']));
    });

    it('refuses a repository without commits, and a directory that is no repository', async () => {
      const empty = makeEmptyRepo();
      try {
        await assert.rejects(makeAdapter(empty).defaultBase(), (e: unknown) => {
          assert.ok(isOrchError(e, 'invalid_input'));
          assert.equal(e.message, 'repository has no commits; make an initial commit first');
          return true;
        });
        rmSync(join(empty.root, '.git'), { recursive: true, force: true });
        await assert.rejects(makeAdapter(empty).defaultBase(), (e: unknown) =>
          isOrchError(e, 'invalid_input'),
        );
      } finally {
        empty.cleanup();
      }
    });
  });

  describe('ensure', () => {
    it('creates a locked worktree on orch/<c> from base, then reuses it (also after a restart)', async () => {
      const first = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(first.path, join(repo.root, '.ve/chunks/alpha/worktree'));
      assert.deepEqual([first.branch, first.baseBranch, first.created], ['orch/alpha', 'main', true]);
      assert.equal(repo.git(['rev-parse', '--abbrev-ref', 'HEAD'], first.path), 'orch/alpha');
      assert.equal(repo.git(['rev-parse', 'orch/alpha']), repo.git(['rev-parse', 'main']));
      assert.match(repo.git(['worktree', 'list', '--porcelain']), /locked ve: in use/);
      repo.write('wip.txt', 'in progress\n', first.path);

      const again = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(again.created, false);
      const restarted = await makeAdapter(repo).ensure('alpha', { baseBranch: 'main' });
      assert.equal(restarted.created, false);
      assert.equal(repo.read('wip.txt', first.path), 'in progress\n');
      assert.equal(await wt.exists('alpha'), true);
      assert.equal(await wt.exists('beta'), false);
    });

    it('reuses a locked worktree on its branch from git’s files alone, and asks git otherwise', async () => {
      const registry = new WorktreeRegistry(new GitRepo(repo.root), silentLogger);
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(registry.isLockedOn(e.path, 'orch/alpha'), true);
      assert.equal(registry.isLockedOn(e.path, 'orch/beta'), false);
      assert.equal(registry.isLockedOn(join(repo.root, '.ve/chunks/beta/worktree'), 'orch/beta'), false);

      // unlocked behind ve's back: not the fast path; ensure goes to git and locks it again
      repo.git(['worktree', 'unlock', e.path]);
      assert.equal(registry.isLockedOn(e.path, 'orch/alpha'), false);
      assert.equal((await wt.ensure('alpha', { baseBranch: 'main' })).created, false);
      assert.equal(registry.isLockedOn(e.path, 'orch/alpha'), true);
      assert.match(repo.git(['worktree', 'list', '--porcelain']), /locked ve: in use/);

      // another branch checked out in the worktree: not the fast path either
      repo.git(['checkout', '-q', '-b', 'side'], e.path);
      assert.equal(registry.isLockedOn(e.path, 'orch/alpha'), false);
    });

    it("keeps .ve/ out of the operator's git status", async () => {
      await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(repo.git(['status', '--porcelain']), '');
    });

    it('branches from the given base, not from what the host has checked out', async () => {
      repo.git(['checkout', '-q', '-b', 'dev']);
      const devOnly = repo.commit({ 'dev.txt': 'dev\n' }, 'dev work');
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(repo.git(['rev-parse', 'HEAD'], e.path), repo.git(['rev-parse', 'main']));
      assert.notEqual(repo.git(['rev-parse', 'HEAD'], e.path), devOnly);
      await assert.rejects(wt.ensure('beta', { baseBranch: 'nope' }), (err: unknown) =>
        isOrchError(err, 'invalid_input'),
      );
    });

    it('reuses an existing orch/<c> branch that has no worktree (after a crash) as-is', async () => {
      const e = await unitWithCommit(wt, repo, 'alpha', { 'new.txt': 'work\n' });
      const tip = repo.git(['rev-parse', 'orch/alpha']);
      repo.git(['worktree', 'unlock', e.path]);
      repo.git(['worktree', 'remove', '--force', e.path]);
      const again = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(again.created, true);
      assert.equal(repo.git(['rev-parse', 'HEAD'], again.path), tip);
      assert.equal(repo.read('new.txt', again.path), 'work\n');
    });

    it('recreates a worktree whose directory vanished behind git’s back', async () => {
      const e = await unitWithCommit(wt, repo, 'alpha', { 'new.txt': 'work\n' });
      rmSync(e.path, { recursive: true, force: true });
      assert.equal(await wt.exists('alpha'), false);
      const again = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(again.created, true);
      assert.equal(repo.read('new.txt', again.path), 'work\n');
    });

    it('refuses a foreign non-empty directory at the worktree path, and clears an empty one', async () => {
      const path = join(repo.root, '.ve/chunks/alpha/worktree');
      mkdirSync(path, { recursive: true });
      assert.equal((await wt.ensure('alpha', { baseBranch: 'main' })).created, true);
      const other = join(repo.root, '.ve/chunks/beta/worktree');
      repo.write('.ve/chunks/beta/worktree/stray.txt', 'mine\n');
      await assert.rejects(wt.ensure('beta', { baseBranch: 'main' }), (e: unknown) =>
        isOrchError(e, 'conflict'),
      );
      assert.equal(repo.read('stray.txt', other), 'mine\n');
    });

    it('finishes a creation killed between `worktree add --no-checkout` and the checkout', async () => {
      repo.commit({ '.worktreeinclude': '.env\n' }, 'inc');
      repo.write('.env', 'SECRET=1\n');
      const registry = new WorktreeRegistry(new GitRepo(repo.root), silentLogger);
      const path = join(repo.root, '.ve/chunks/alpha/worktree');
      // what the queue step leaves when the process dies right after it
      await registry.add('alpha', path, 'orch/alpha', 'main');
      assert.deepEqual(readdirSync(path), ['.git']);
      assert.equal(registry.isLockedOn(path, 'orch/alpha'), true, 'the fast path alone would take it');
      assert.equal(registry.isCheckedOut(path), false);

      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(e.created, true, 'so the setup command runs too');
      assert.equal(registry.isCheckedOut(path), true);
      assert.equal(repo.read('src/a.txt', path), 'a1\na2\na3\n');
      assert.equal(repo.read('.env', path), 'SECRET=1\n');
      assert.equal(repo.git(['status', '--porcelain'], path), '', 'index and files are HEAD');
      assert.equal((await wt.ensure('alpha', { baseBranch: 'main' })).created, false);
    });

    it('finishes a checkout killed half-way: no index, its lock left behind, a file half written', async () => {
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      const admin = repo.git(['rev-parse', '--absolute-git-dir'], e.path);
      rmSync(join(admin, 'index'));
      writeFileSync(join(admin, 'index.lock'), '');
      repo.write('src/a.txt', 'a1\n', e.path);
      const again = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(again.created, true);
      assert.equal(repo.read('src/a.txt', e.path), 'a1\na2\na3\n');
      assert.equal(repo.git(['status', '--porcelain'], e.path), '');
      assert.equal(existsSync(join(admin, 'index.lock')), false);
    });

    it('checks a new worktree out once when two calls ensure it at the same time', async () => {
      const both = await Promise.all([0, 1].map(() => wt.ensure('alpha', { baseBranch: 'main' })));
      assert.deepEqual(both.map((e) => e.created).sort(), [false, true]);
      const path = both[0]?.path as string;
      assert.equal(repo.git(['status', '--porcelain'], path), '');
      assert.equal(repo.read('src/b.txt', path), 'b1\n');
    });

    it('refuses when orch/<c> is checked out by the operator, and rejects bad names', async () => {
      repo.git(['branch', 'orch/alpha']);
      repo.git(['checkout', '-q', 'orch/alpha']);
      await assert.rejects(wt.ensure('alpha', { baseBranch: 'main' }), (e: unknown) =>
        isOrchError(e, 'conflict'),
      );
      await assert.rejects(wt.ensure('../x', { baseBranch: 'main' }), (e: unknown) =>
        isOrchError(e, 'invalid_name'),
      );
    });
  });

  describe('.worktreeinclude', () => {
    it('copies listed untracked files and folders into a new worktree, never escaping or overwriting', async () => {
      repo.commit(
        { '.worktreeinclude': '# local\n.env\nconfig/local\n../outside\nsrc/a.txt\nlocal.conf\n' },
        'inc',
      );
      repo.write('.env', 'SECRET=1\n');
      repo.write('config/local/db.json', '{"db":1}\n');
      repo.write('src/a.txt', 'operator edit\n');
      repo.write('local.conf', 'not ignored\n');
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(repo.read('.env', e.path), 'SECRET=1\n');
      assert.equal(repo.read('config/local/db.json', e.path), '{"db":1}\n');
      assert.equal(repo.read('src/a.txt', e.path), 'a1\na2\na3\n', 'tracked file not overwritten');
      assert.equal(existsSync(join(e.path, '..', 'outside')), false);

      // included files are local: ve's own commit leaves them out even when git would not ignore them
      repo.write('feature.txt', 'f\n', e.path);
      assert.deepEqual(await wt.commitAll('alpha', 'work'), ['feature.txt']);
      const committed = repo.git(['show', '--name-only', '--format=', 'orch/alpha']);
      assert.deepEqual(committed.split('\n'), ['feature.txt']);
      assert.deepEqual(await wt.commitAll('alpha', 'again'), [], 'included files alone: nothing to commit');
    });

    it('is not copied into a reused worktree', async () => {
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      repo.write('.worktreeinclude', '.env\n');
      repo.write('.env', 'SECRET=1\n');
      await wt.ensure('alpha', { baseBranch: 'main' });
      assert.equal(existsSync(join(e.path, '.env')), false);
    });
  });

  describe('commitAll', () => {
    it('commits additions, edits and deletions, naming them; none when there is nothing to commit', async () => {
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      assert.deepEqual(await wt.commitAll('alpha', 'nothing'), []);
      repo.write('src/a.txt', 'changed\n', e.path);
      repo.write('new/file.txt', 'new\n', e.path);
      rmSync(join(e.path, 'src/b.txt'));
      assert.deepEqual(await wt.commitAll('alpha', 'feat: alpha'), [
        'new/file.txt',
        'src/a.txt',
        'src/b.txt',
      ]);
      assert.equal(repo.git(['status', '--porcelain'], e.path), '');
      assert.equal(repo.git(['log', '-1', '--format=%s'], e.path), 'feat: alpha');
      const changed = repo.git(['diff', '--name-status', 'main', 'orch/alpha']);
      assert.deepEqual(changed.split('\n'), ['A\tnew/file.txt', 'M\tsrc/a.txt', 'D\tsrc/b.txt']);
      assert.deepEqual(await wt.commitAll('alpha', 'again'), []);
    });

    it('inspects what a phase committed since a tip, and what it left uncommitted', async () => {
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      const start = await wt.inspect('alpha', null);
      assert.deepEqual([start.newCommits, start.changedFiles, start.dirty], [0, [], []]);
      repo.commit({ 'src/one.txt': '1\n' }, 'one', e.path);
      repo.commit({ 'docs/two.txt': '2\n' }, 'two', e.path);
      repo.write('left.txt', 'uncommitted\n', e.path);
      repo.write('src/a.txt', 'edited, not committed\n', e.path);
      const after = await wt.inspect('alpha', start.tip);
      assert.equal(after.newCommits, 2);
      assert.deepEqual(after.changedFiles, ['docs/two.txt', 'src/one.txt']);
      assert.deepEqual(after.dirty.sort(), ['left.txt', 'src/a.txt']);
      assert.equal(after.tip, repo.git(['rev-parse', 'orch/alpha']));
    });

    it('sees untracked files whatever the configuration hides, and a nested repository moving', async () => {
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      repo.git(['config', 'status.showUntrackedFiles', 'no']);
      repo.write('new/untracked.txt', 'u\n', e.path);
      assert.ok((await wt.commitAll('alpha', 'untracked')).length > 0);
      assert.equal(repo.git(['show', '--name-only', '--format=', 'orch/alpha']), 'new/untracked.txt');
      // an agent's nested repository: git add stages it as a gitlink, and its new commits too
      const sub = join(e.path, 'sub');
      mkdirSync(sub);
      repo.git(['init', '-q'], sub);
      repo.git(['commit', '-q', '--allow-empty', '-m', 'one'], sub);
      assert.ok((await wt.commitAll('alpha', 'add sub')).length > 0);
      repo.git(['commit', '-q', '--allow-empty', '-m', 'two'], sub);
      assert.ok((await wt.commitAll('alpha', 'move sub')).length > 0);
      assert.equal(repo.git(['rev-parse', 'orch/alpha:sub']), repo.git(['rev-parse', 'HEAD'], sub));
      assert.deepEqual(await wt.commitAll('alpha', 'nothing'), []);
    });

    it("uses the repository's identity, or ve's when none is configured", async () => {
      const e = await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      assert.equal(
        repo.git(['log', '-1', '--format=%an <%ae>', 'orch/alpha']),
        'Test Operator <operator@example.test>',
      );
      repo.git(['config', '--unset', 'user.name']);
      repo.git(['config', '--unset', 'user.email']);
      repo.write('y.txt', 'y\n', e.path);
      await makeAdapter(repo).commitAll('alpha', 'anonymous');
      assert.equal(repo.git(['log', '-1', '--format=%an <%ae>', 'orch/alpha']), 've <ve@localhost>');
    });

    it('refuses a missing worktree and unresolved conflicts', async () => {
      await assert.rejects(wt.commitAll('ghost', 'x'), (e: unknown) => isOrchError(e, 'not_found'));
      const e = await unitWithCommit(wt, repo, 'alpha', { 'src/a.txt': 'unit\n' });
      repo.commit({ 'src/a.txt': 'base\n' }, 'base moves');
      const r = (() => {
        try {
          return repo.git(['merge', 'main'], e.path);
        } catch {
          return 'conflicted';
        }
      })();
      assert.equal(r, 'conflicted');
      await assert.rejects(wt.commitAll('alpha', 'x'), (err: unknown) => isOrchError(err, 'conflict'));
    });
  });

  describe('probe', () => {
    it('reports clean and conflicting pairs, and missing branches as clean', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/a.txt': 'alpha\na2\na3\n' });
      await unitWithCommit(wt, repo, 'beta', { 'src/a.txt': 'beta\na2\na3\n', 'b-only.txt': 'b\n' });
      await unitWithCommit(wt, repo, 'gamma', { 'src/b.txt': 'gamma\n' });
      assert.deepEqual(await wt.probe('alpha', 'beta'), { clean: false, conflicting_files: ['src/a.txt'] });
      assert.deepEqual(await wt.probe('alpha', 'gamma'), { clean: true, conflicting_files: [] });
      assert.deepEqual(await wt.probe('alpha', 'missing'), { clean: true, conflicting_files: [] });
    });

    it('probes given commits, not the branches, and refuses anything but a full commit id', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'src/a.txt': 'alpha\na2\na3\n' });
      const beta = await unitWithCommit(wt, repo, 'beta', { 'src/b.txt': 'beta\n' });
      const before = repo.git(['rev-parse', 'orch/beta']);
      repo.write('src/a.txt', 'beta\na2\na3\n', beta.path);
      await wt.commitAll('beta', 'now touching a.txt too');
      const [a, b] = ['orch/alpha', 'orch/beta'].map((r) => repo.git(['rev-parse', r])) as [string, string];
      assert.deepEqual(await wt.probe('alpha', 'beta', [a, before]), { clean: true, conflicting_files: [] });
      assert.deepEqual(await wt.probe('alpha', 'beta', [a, b]), {
        clean: false,
        conflicting_files: ['src/a.txt'],
      });
      await assert.rejects(wt.probe('alpha', 'beta', [a, 'orch/beta']), (e: unknown) =>
        isOrchError(e, 'invalid_input'),
      );
    });

    it("touches no worktree and not the operator's checkout", async () => {
      const a = await unitWithCommit(wt, repo, 'alpha', { 'src/a.txt': 'alpha\na2\na3\n' });
      const b = await unitWithCommit(wt, repo, 'beta', { 'src/a.txt': 'beta\na2\na3\n' });
      repo.write('src/b.txt', 'operator edit\n');
      repo.write('src/a.txt', 'dirty in a\n', a.path);
      const watched = [
        join(repo.root, 'src/a.txt'),
        join(repo.root, 'src/b.txt'),
        join(repo.root, '.git/index'),
        join(a.path, 'src/a.txt'),
        join(b.path, 'src/a.txt'),
        join(repo.root, '.git/worktrees/worktree/index'),
      ].filter((p) => existsSync(p));
      const snapshot = () => ({
        host: repo.git(['status', '--porcelain']),
        a: repo.git(['status', '--porcelain'], a.path),
        b: repo.git(['status', '--porcelain'], b.path),
        heads: repo.git(['for-each-ref', '--format=%(refname) %(objectname)']),
        mtimes: watched.map((p) => statSync(p).mtimeMs),
      });
      const before = snapshot();
      assert.equal((await wt.probe('alpha', 'beta')).clean, false);
      assert.deepEqual(snapshot(), before);
    });
  });

  describe('branchTips', () => {
    it('reads the tip of every orch/<chunk> branch in one go, and nothing else', async () => {
      assert.deepEqual(await wt.branchTips(), new Map());
      await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      await wt.ensure('beta', { baseBranch: 'main' });
      repo.git(['branch', 'orch-not-a-unit']);
      repo.git(['branch', 'orch/Not_A_Chunk']);
      const tips = await wt.branchTips();
      assert.deepEqual([...tips].sort(), [
        ['alpha', repo.git(['rev-parse', 'orch/alpha'])],
        ['beta', repo.git(['rev-parse', 'main'])],
      ]);
    });
  });

  describe('unmergedCommits and list', () => {
    it('counts commits ahead of base, 0 without a branch', async () => {
      assert.equal(await wt.unmergedCommits('alpha', 'main'), 0);
      const e = await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      repo.write('y.txt', 'y\n', e.path);
      await wt.commitAll('alpha', 'second');
      assert.equal(await wt.unmergedCommits('alpha', 'main'), 2);
    });

    it('lists worktrees and branch-only units with exists/locked/unmerged', async () => {
      await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      await wt.ensure('beta', { baseBranch: 'main' });
      repo.git(['branch', 'orch/gamma', 'main']);
      repo.git(['branch', 'orch/Not_A_Chunk', 'main']);
      const list = await wt.list('main');
      assert.deepEqual(
        list.map((w) => [w.chunk, w.branch, w.exists, w.locked, w.unmerged_commits]),
        [
          ['alpha', 'orch/alpha', true, true, 1],
          ['beta', 'orch/beta', true, true, 0],
          ['gamma', 'orch/gamma', false, false, 0],
        ],
      );
      assert.equal(list[0]?.path, join(repo.root, '.ve/chunks/alpha/worktree'));
    });
  });

  describe('remove', () => {
    it('refuses to drop unmerged commits or uncommitted work without force', async () => {
      const e = await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      const opts = { force: false, keepBranch: false, baseBranch: 'main' };
      await assert.rejects(wt.remove('alpha', opts), (err: unknown) => {
        assert.ok(isOrchError(err, 'conflict'));
        assert.equal(err.message, 'branch orch/alpha has 1 unmerged commit(s); use --force to delete anyway');
        return true;
      });
      assert.equal(existsSync(e.path), true);
      await wt.ensure('beta', { baseBranch: 'main' });
      repo.write('draft.txt', 'unsaved\n', join(repo.root, '.ve/chunks/beta/worktree'));
      await assert.rejects(wt.remove('beta', opts), (err: unknown) => isOrchError(err, 'conflict'));
    });

    it('keeps the branch when asked, removes everything with force, and is a no-op when absent', async () => {
      const e = await unitWithCommit(wt, repo, 'alpha', { 'x.txt': 'x\n' });
      await wt.remove('alpha', { force: false, keepBranch: true, baseBranch: 'main' });
      assert.equal(existsSync(e.path), false);
      assert.deepEqual(repo.branches('orch/'), ['orch/alpha']);
      await wt.ensure('alpha', { baseBranch: 'main' });
      repo.write('draft.txt', 'unsaved\n', e.path);
      await wt.remove('alpha', { force: true, keepBranch: false, baseBranch: 'main' });
      assert.equal(existsSync(e.path), false);
      assert.deepEqual(repo.branches('orch/'), []);
      assert.equal(repo.git(['worktree', 'list', '--porcelain']).includes('.ve/chunks'), false);
      await wt.remove('alpha', { force: false, keepBranch: false, baseBranch: 'main' });
      await wt.remove('never', { force: false, keepBranch: false, baseBranch: 'main' });
    });

    it('removes a clean worktree without commits without force, and falls back when git cannot', async () => {
      const e = await wt.ensure('alpha', { baseBranch: 'main' });
      await wt.remove('alpha', { force: false, keepBranch: false, baseBranch: 'main' });
      assert.equal(existsSync(e.path), false);
      assert.deepEqual(repo.branches('orch/'), []);
      // a registered worktree whose .git file is gone: `git worktree remove` fails, rm + prune cleans up
      const f = await wt.ensure('beta', { baseBranch: 'main' });
      rmSync(join(f.path, '.git'));
      await wt.remove('beta', { force: true, keepBranch: false, baseBranch: 'main' });
      assert.equal(existsSync(f.path), false);
      assert.equal(repo.git(['worktree', 'list', '--porcelain']).includes('.ve/chunks'), false);
    });
  });

  describe('diff', () => {
    it('shows committed work plus uncommitted and untracked changes in the worktree', async () => {
      const e = await unitWithCommit(wt, repo, 'alpha', { 'committed.txt': 'c\n' });
      repo.write('src/a.txt', 'edited\n', e.path);
      repo.write('untracked.txt', 'u\n', e.path);
      const d = await wt.diff('alpha', 'main');
      assert.match(d, /\+\+\+ b\/committed\.txt/);
      assert.match(d, /# uncommitted changes in the worktree/);
      assert.match(d, /\+\+\+ b\/src\/a\.txt\n[\s\S]*\+edited/);
      assert.match(d, /\+\+\+ b\/untracked\.txt/);
      assert.equal(await wt.diff('nothing', 'main'), '');
    });
  });
});
