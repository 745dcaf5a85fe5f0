/**
 * The Worktrees contract: one suite, run against GitWorktrees on a real repository and against
 * FakeWorktrees, so the fake the orchestrator tests lean on behaves like git where the port makes a
 * promise. Each case gets a fresh harness. To cover a new port method, add an `it` below and, if it
 * takes a chunk, one line to CHUNK_CALLS.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { isOrchError } from '../../src/domain/errors.js';
import type { Worktrees } from '../../src/ports/worktrees.js';

export interface WorktreesHarness {
  worktrees: Worktrees;
  /** the base branch units merge into */
  base: string;
  cleanup(): void;
}

/** Every method that takes a chunk, called with `chunk`: each must refuse a name that is not one. */
const CHUNK_CALLS: Record<string, (w: Worktrees, chunk: string, base: string) => Promise<unknown>> = {
  ensure: (w, c, base) => w.ensure(c, { baseBranch: base }),
  exists: (w, c) => w.exists(c),
  commitAll: (w, c) => w.commitAll(c, 'm'),
  inspect: (w, c) => w.inspect(c, null),
  finalize: (w, c, base) => w.finalize(c, base),
  probe: (w, c) => w.probe(c, 'other'),
  unmergedCommits: (w, c, base) => w.unmergedCommits(c, base),
  remove: (w, c, base) => w.remove(c, { force: true, keepBranch: false, baseBranch: base }),
  diff: (w, c, base) => w.diff(c, base),
};

function write(dir: string, rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

export function describeWorktrees(name: string, make: () => Promise<WorktreesHarness>): void {
  describe(`Worktrees contract: ${name}`, () => {
    let h: WorktreesHarness | null = null;
    const setup = async () => {
      h = await make();
      return { w: h.worktrees, base: h.base };
    };
    afterEach(() => {
      h?.cleanup();
      h = null;
    });

    it('creates a worktree on orch/<chunk> once, then reuses it', async () => {
      const { w, base } = await setup();
      assert.equal(await w.defaultBase(), base);
      assert.equal(await w.exists('feat'), false);
      const first = await w.ensure('feat', { baseBranch: base });
      assert.deepEqual([first.branch, first.baseBranch, first.created], ['orch/feat', base, true]);
      assert.match(first.path, /\/\.ve\/chunks\/feat\/worktree$/);
      assert.equal(await w.exists('feat'), true);
      const again = await w.ensure('feat', { baseBranch: base });
      assert.deepEqual([again.path, again.created], [first.path, false]);
      assert.ok((await w.branchTips()).has('feat'));
    });

    it('commits only when there is something to commit, naming the files, and not at all without a worktree', async () => {
      const { w, base } = await setup();
      const { path } = await w.ensure('feat', { baseBranch: base });
      assert.deepEqual(await w.commitAll('feat', 'nothing yet'), []);
      const tip = (await w.branchTips()).get('feat');
      write(path, 'notes.txt', 'hello\n');
      assert.deepEqual(await w.commitAll('feat', 'notes'), ['notes.txt']);
      assert.notEqual((await w.branchTips()).get('feat'), tip, 'the commit moved the branch');
      assert.deepEqual(await w.commitAll('feat', 'again'), []);
      assert.equal(await w.unmergedCommits('feat', base), 1);
      await assert.rejects(w.commitAll('ghost', 'm'), (e) => isOrchError(e, 'not_found'));
    });

    it('inspects what was committed since a tip and what is left uncommitted', async () => {
      const { w, base } = await setup();
      const { path } = await w.ensure('feat', { baseBranch: base });
      const start = await w.inspect('feat', null);
      assert.deepEqual([start.newCommits, start.changedFiles, start.dirty], [0, [], []]);
      write(path, 'src/one.txt', '1\n');
      await w.commitAll('feat', 'one');
      write(path, 'left.txt', 'not committed\n');
      const now = await w.inspect('feat', start.tip);
      assert.deepEqual([now.newCommits, now.changedFiles, now.dirty], [1, ['src/one.txt'], ['left.txt']]);
      assert.equal(now.tip, (await w.branchTips()).get('feat'));
    });

    it('lists each unit worktree with its branch, lock and unmerged commits, until both are gone', async () => {
      const { w, base } = await setup();
      assert.deepEqual(await w.list(base), []);
      const { path } = await w.ensure('feat', { baseBranch: base });
      write(path, 'a.txt', 'a\n');
      await w.commitAll('feat', 'a');
      assert.deepEqual(await w.list(base), [
        { chunk: 'feat', path, branch: 'orch/feat', exists: true, locked: true, unmerged_commits: 1 },
      ]);
      await w.remove('feat', { force: false, keepBranch: true, baseBranch: base });
      assert.deepEqual(
        await w.list(base),
        [{ chunk: 'feat', path, branch: 'orch/feat', exists: false, locked: false, unmerged_commits: 1 }],
        'the branch stays listed without its worktree',
      );
      await w.remove('feat', { force: true, keepBranch: false, baseBranch: base });
      assert.deepEqual(await w.list(base), []);
      assert.equal(await w.unmergedCommits('feat', base), 0);
    });

    it('refuses to remove unmerged or uncommitted work without force, changing nothing', async () => {
      const { w, base } = await setup();
      const { path } = await w.ensure('feat', { baseBranch: base });
      write(path, 'a.txt', 'a\n');
      await assert.rejects(w.remove('feat', { force: false, keepBranch: true, baseBranch: base }), (e) =>
        isOrchError(e, 'conflict'),
      );
      await w.commitAll('feat', 'a');
      await assert.rejects(w.remove('feat', { force: false, keepBranch: false, baseBranch: base }), (e) =>
        isOrchError(e, 'conflict'),
      );
      assert.equal(await w.exists('feat'), true);
      assert.equal(await w.unmergedCommits('feat', base), 1);
      await w.remove('feat', { force: true, keepBranch: false, baseBranch: base });
      assert.equal(await w.exists('feat'), false);
      assert.equal((await w.branchTips()).has('feat'), false);
    });

    it('diffs committed work against base, then what is still uncommitted', async () => {
      const { w, base } = await setup();
      assert.equal(await w.diff('feat', base), '', 'no branch, no worktree: nothing');
      const { path } = await w.ensure('feat', { baseBranch: base });
      assert.equal(await w.diff('feat', base), '');
      write(path, 'notes.txt', 'hello\n');
      await w.commitAll('feat', 'notes');
      const committed = await w.diff('feat', base);
      assert.match(committed, /^diff --git a\/notes\.txt b\/notes\.txt\n/m);
      assert.match(committed, /^\+\+\+ b\/notes\.txt\n/m);
      assert.match(committed, /^\+hello$/m);
      assert.doesNotMatch(committed, /uncommitted/);
      write(path, 'draft.txt', 'wip\n');
      const both = await w.diff('feat', base);
      assert.ok(both.startsWith(committed), 'committed work first');
      assert.match(both.slice(committed.length), /^# uncommitted changes in the worktree\n/);
      assert.match(both, /^diff --git a\/draft\.txt b\/draft\.txt\n[\s\S]*^\+wip$/m);
    });

    it('finalizes by landing the branch, then removes worktree and branch', async () => {
      const { w, base } = await setup();
      const { path } = await w.ensure('feat', { baseBranch: base });
      write(path, 'feature.txt', 'done\n');
      const merged = await w.finalize('feat', base);
      assert.equal(merged.kind, 'merged', JSON.stringify(merged));
      assert.equal(await w.exists('feat'), false);
      assert.equal(existsSync(path), false);
      assert.equal((await w.branchTips()).has('feat'), false);
      assert.equal(await w.unmergedCommits('feat', base), 0);
      assert.deepEqual(await w.list(base), []);
    });

    it('probes branches that touch different files as clean, and a missing branch as clean', async () => {
      const { w, base } = await setup();
      for (const c of ['alpha', 'beta']) {
        const { path } = await w.ensure(c, { baseBranch: base });
        write(path, `${c}.txt`, `${c}\n`);
        await w.commitAll(c, c);
      }
      assert.deepEqual(await w.probe('alpha', 'beta'), { clean: true, conflicting_files: [] });
      assert.deepEqual(await w.probe('alpha', 'ghost'), { clean: true, conflicting_files: [] });
    });

    it('refuses a chunk name that is not one, in every method, before touching anything', async () => {
      const { w, base } = await setup();
      for (const [method, call] of Object.entries(CHUNK_CALLS)) {
        for (const bad of ['../escape', 'Bad Name', '']) {
          await assert.rejects(
            call(w, bad, base),
            (e) => isOrchError(e, 'invalid_name'),
            `${method}(${bad})`,
          );
        }
      }
      assert.deepEqual(await w.list(base), []);
    });
  });
}
