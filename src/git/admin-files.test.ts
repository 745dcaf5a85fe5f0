/** Reading git's HEAD and MERGE_HEAD files: clear answers, and "ask git" on anything odd. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { gitDirOf, headsNaming, mergeHeadOf } from './admin-files.js';

const SHA = 'a'.repeat(40);

describe('admin files', () => {
  let dir: string;
  let common: string;
  const write = (rel: string, text: string) => {
    const p = join(dir, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 've-admin-'));
    common = join(dir, 'repo', '.git');
    write('repo/.git/HEAD', 'ref: refs/heads/main\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('headsNaming', () => {
    it('main when the main HEAD names the branch, none when no HEAD does', () => {
      write('repo/.git/worktrees/wt/HEAD', 'ref: refs/heads/orch/a\n');
      write('repo/.git/worktrees/wt1/HEAD', `${SHA}\n`);
      assert.equal(headsNaming(common, 'main'), 'main');
      assert.equal(headsNaming(common, 'topic'), 'none');
      assert.equal(headsNaming(common, 'orch/b'), 'none');
      // a worktrees/ entry without a HEAD is no working tree
      mkdirSync(join(common, 'worktrees', 'half'));
      assert.equal(headsNaming(common, 'topic'), 'none');
    });

    it('ask when a linked worktree has it (git knows whether it is prunable)', () => {
      write('repo/.git/worktrees/wt/HEAD', 'ref: refs/heads/orch/a\n');
      assert.equal(headsNaming(common, 'orch/a'), 'ask');
    });

    it('ask on a reftable placeholder, a symlinked HEAD, or content it does not understand', () => {
      write('repo/.git/HEAD', 'ref: refs/heads/.invalid\n');
      assert.equal(headsNaming(common, 'topic'), 'ask');
      write('repo/.git/HEAD', 'ref: refs/heads/main\n');
      write('repo/.git/worktrees/wt/HEAD', 'garbage\n');
      assert.equal(headsNaming(common, 'topic'), 'ask');
      rmSync(join(common, 'worktrees', 'wt', 'HEAD'));
      write('refs-main', `${SHA}\n`);
      symlinkSync(join(dir, 'refs-main'), join(common, 'worktrees', 'wt', 'HEAD'));
      assert.equal(headsNaming(common, 'topic'), 'ask');
    });
  });

  describe('mergeHeadOf', () => {
    it('reads MERGE_HEAD from a .git directory, or where a .git file points (relative too)', () => {
      assert.equal(mergeHeadOf(join(dir, 'repo')), null);
      write('repo/.git/MERGE_HEAD', `${SHA}\n`);
      assert.equal(mergeHeadOf(join(dir, 'repo')), SHA);

      write('linked/.git', 'gitdir: ../repo/.git/worktrees/linked\n');
      mkdirSync(join(common, 'worktrees', 'linked'), { recursive: true });
      assert.equal(gitDirOf(join(dir, 'linked')), join(common, 'worktrees', 'linked'));
      assert.equal(mergeHeadOf(join(dir, 'linked')), null, "the main worktree's MERGE_HEAD is not its own");
      write('repo/.git/worktrees/linked/MERGE_HEAD', `${'b'.repeat(40)}\n`);
      assert.equal(mergeHeadOf(join(dir, 'linked')), 'b'.repeat(40));
    });

    it('cannot tell (undefined) without a .git there', () => {
      mkdirSync(join(dir, 'plain'));
      assert.equal(mergeHeadOf(join(dir, 'plain')), undefined);
      write('odd/.git', 'not a gitdir line\n');
      assert.equal(mergeHeadOf(join(dir, 'odd')), undefined);
    });
  });
});
