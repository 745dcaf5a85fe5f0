/**
 * Pins the git commands one worktree creation and one finalize spawn (GIT_TRACE), so a change that
 * adds spawns to the serial mutation queue shows up here (docs/performance.md, item 3).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { makeAdapter, unitWithCommit } from '../../test/support/git-adapter.js';
import { isolateGitConfig, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import type { GitWorktrees } from './git-worktrees.js';

isolateGitConfig();
// before this process's first git call: git-cli computes its environment once (git-cli.ts)
const traceFile = join(tmpdir(), `ve-git-trace-${process.pid}`);
process.env.GIT_TRACE = traceFile;

interface Traced {
  /** subcommand and first argument, e.g. `worktree add` */
  cmd: string;
  /** started by another git process (`run_command`), not by ve */
  child: boolean;
}

/** The git processes traced since the last call (this test runs one git command at a time). */
function takeTrace(): Traced[] {
  let text = '';
  try {
    text = readFileSync(traceFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  writeFileSync(traceFile, '');
  const out: Traced[] = [];
  let announced = false;
  for (const line of text.split('\n')) {
    const m = /trace: (built-in|exec|run_command): (.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'run_command') {
      announced = /(^| )git /.test(m[2] as string);
      continue;
    }
    const words = (m[2] as string).replace(/^git /, '').split(' ');
    out.push({ cmd: words.slice(0, 2).join(' '), child: announced });
    announced = false;
  }
  return out;
}

const byVe = (t: Traced[]) => t.filter((p) => !p.child).map((p) => p.cmd.split(' ')[0]);

describe('git spawns per operation', () => {
  let repo: TestRepo;
  let wt: GitWorktrees;
  beforeEach(async () => {
    repo = makeTestRepo({ initialFiles: { 'a.txt': 'a\n' } });
    wt = makeAdapter(repo);
    // one unit first: one-time work (identity, common dir, .git/info/exclude) is not counted
    await unitWithCommit(wt, repo, 'warmup', { 'w.txt': 'w\n' });
    await wt.finalize('warmup', 'main');
    takeTrace();
  });
  afterEach(() => repo.cleanup());
  after(() => rmSync(traceFile, { force: true }));

  it('creating a worktree: worktree list, one cat-file for both tips, worktree add without checkout', async () => {
    await wt.ensure('alpha', { baseBranch: 'main' });
    assert.deepEqual(
      takeTrace().map((p) => `${p.child ? '  ' : ''}${p.cmd}`),
      [
        // the queue
        'worktree list',
        "cat-file '--batch-check=%(objectname)",
        'worktree add',
        // started by `worktree add`: no `reset --hard` any more
        '  branch orch/alpha',
        '  symbolic-ref HEAD',
        // outside the queue
        'read-tree --reset',
      ],
    );
  });

  it('finalize into the checked-out base: 6 spawns in the queue, no auto maintenance', async () => {
    await unitWithCommit(wt, repo, 'alpha', { 'u.txt': 'u\n' });
    repo.commit({ 'o.txt': 'o\n' }, 'base moves, so git merge makes a merge commit');
    takeTrace();
    const r = await wt.finalize('alpha', 'main');
    assert.equal(r.kind, 'merged');
    const trace = takeTrace();
    assert.deepEqual(byVe(trace), [
      // commitAll, outside the queue: nothing left to commit
      'status',
      // the queue
      'cat-file',
      'merge-base',
      'merge',
      'for-each-ref',
      'worktree',
      'update-ref',
    ]);
    assert.deepEqual(
      trace.filter((p) => p.cmd.startsWith('maintenance') || p.cmd.startsWith('gc')),
      [],
      'git merge starts no maintenance inside the queue',
    );
  });

  it('finalize into a base checked out nowhere: 7 spawns in the queue', async () => {
    await unitWithCommit(wt, repo, 'alpha', { 'u.txt': 'u\n' });
    repo.commit({ 'o.txt': 'o\n' }, 'base moves');
    repo.git(['checkout', '-q', '-b', 'operator-topic']);
    takeTrace();
    assert.equal((await wt.finalize('alpha', 'main')).kind, 'merged');
    assert.deepEqual(byVe(takeTrace()).slice(1), [
      'cat-file',
      'merge-base',
      'merge-tree',
      'commit-tree',
      'update-ref',
      'worktree',
      'update-ref',
    ]);
  });

  it("runs git's auto maintenance every n-th merge, after the queue work", async () => {
    const every3 = makeAdapter(repo, { maintenanceEvery: 3 });
    const ran: boolean[] = [];
    for (let i = 1; i <= 6; i++) {
      await unitWithCommit(every3, repo, `u${i}`, { [`u${i}.txt`]: `${i}\n` });
      takeTrace();
      assert.equal((await every3.finalize(`u${i}`, 'main')).kind, 'merged');
      const spawned = byVe(takeTrace());
      ran.push(spawned.includes('maintenance'));
      if (spawned.includes('maintenance'))
        assert.equal(spawned.at(-1), 'maintenance', 'last, after the queue');
    }
    assert.deepEqual(ran, [false, false, true, false, false, true]);
  });
});
