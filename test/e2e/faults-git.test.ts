/**
 * Issue 7 §2, git and operator faults: a locked index in the operator's checkout during a merge, git
 * failing with "No space left on device" (test/support/git-wrapper.ts first on the daemon's PATH), and the
 * operator switching branches and committing while merges happen. Each must end in a clear attention
 * item or an automatic recovery, never in lost work. Real daemon, CLI, git and SDK; fake agents.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { UnitListDto } from '../../src/api/dto.js';
import { writeGitWrapper } from '../support/git-wrapper.js';
import { attentionFor, checkEnd, pipelineProjects, planned } from '../support/pipeline-checks.js';
import { type PipelineProject, waitForFile } from '../support/pipeline-project.js';

const project = pipelineProjects('ve-faults-');

/** The chunk's work is safe on its branch and not on base. */
function assertOnBranchOnly(p: PipelineProject, chunk: string): void {
  assert.equal(p.repo.git('show', `orch/${chunk}:src/${chunk}.txt`), `${chunk} implemented\n`);
  assert.ok(
    !p.repo.git('ls-tree', '-r', '--name-only', 'main').includes(`src/${chunk}.txt`),
    'nothing merged',
  );
}

describe('git and operator faults', { timeout: 600_000 }, () => {
  it('a locked index in the checked-out base: a MERGE item naming the lock, then a retry lands it', async () => {
    const p = project(planned('flock'));
    await p.start();
    const lock = join(p.root, '.git', 'index.lock');
    writeFileSync(lock, ''); // another git process (an editor, an IDE) holds the operator's index
    await p.mustVe('orch', 'inject', 'flock');
    const item = await attentionFor(p, 'flock');
    assert.equal(item.kind, 'MERGE', item.reason);
    assert.match(item.reason, /^Merge into main refused: .*index\.lock/s);
    assertOnBranchOnly(p, 'flock');
    rmSync(lock);
    await p.mustVe('orch', 'retry', 'flock');
    await checkEnd(p, ['flock']);
  });

  it('git failing with "No space left on device": an ERROR item with git’s words, then a retry lands it', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 've-faults-git-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    // only the writes that land a merge fail: the agents' commits in their worktrees still work
    const git = writeGitWrapper(scratch, [
      {
        tag: 'full',
        match: `*" commit-tree "*|*" update-ref "*|*" merge "*`,
        action: 'fail',
        message: 'error: unable to write new object .git/objects/ab: No space left on device',
      },
    ]);
    const full = git.marker('full', 'on');
    const p = project(planned('fdisk'), { PATH: git.path });
    await p.start(); // base: main
    p.repo.git('checkout', '-q', '-b', 'side'); // base not checked out: the merge is a ref update
    writeFileSync(full, '');
    await p.mustVe('orch', 'inject', 'fdisk');
    const item = await attentionFor(p, 'fdisk');
    assert.equal(item.kind, 'ERROR', item.reason);
    assert.match(item.reason, /No space left on device/);
    assertOnBranchOnly(p, 'fdisk');
    rmSync(full); // space freed
    await p.mustVe('orch', 'retry', 'fdisk');
    await checkEnd(p, ['fdisk']);
    assert.equal(p.repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'side');
  });

  it('the operator switching branches and committing while merges happen: all lands on base, nothing of theirs is lost', async () => {
    const chunks = ['sw1', 'sw2', 'sw3'];
    const p = project(planned(...chunks));
    // each COMPLETE waits for the test's go, so the operator's moves fall between known merges
    const control: Record<string, unknown> = {};
    for (const c of chunks) {
      control[`${c}:COMPLETE`] = [
        { tool: 'Write', input: { file_path: `${c}-waiting.marker`, content: '' } },
        { tool: 'Bash', input: { command: `while [ ! -e ${c}-go.marker ]; do sleep 0.1; done` } },
        { normal: true },
      ];
    }
    p.setControl(control);
    const worktreeFile = (c: string, f: string) => join(p.root, '.ve', 'chunks', c, 'worktree', f);
    const mergeNow = async (c: string) => {
      await waitForFile(worktreeFile(c, `${c}-waiting.marker`), 120_000);
      writeFileSync(worktreeFile(c, `${c}-go.marker`), '');
      await p.api.waitFor<UnitListDto>('/api/work-units', (u) =>
        u.work_units.some((w) => w.chunk === c && (w.status === 'DONE' || w.status === 'NEEDS_ATTENTION')),
      );
    };
    const op = (message: string, file: string) => {
      p.repo.writeFile(file, `${message}\n`);
      p.repo.git('add', file);
      p.repo.git('commit', '-q', '-m', message);
    };
    await p.start(); // base: main
    await p.mustVe('orch', 'config', '--max-agents', '3');
    // uncommitted work the operator carries across every switch
    p.repo.writeFile('README.md', '# test repo\n\nthe operator is still writing this\n');
    p.repo.writeFile('notes.txt', 'untracked notes\n');
    await p.mustVe('orch', 'inject', ...chunks);

    op('operator on main 1', 'main-1.txt'); // base moves under the running units
    await mergeNow('sw1'); // into the checked-out base, past the operator's edits
    p.repo.git('checkout', '-q', '-b', 'feature');
    op('operator on feature 1', 'feature-1.txt');
    await mergeNow('sw2'); // base not checked out: a ref update, the operator's checkout untouched
    assert.ok(
      !existsSync(join(p.root, 'src', 'sw2.txt')),
      'nothing landed in the operator’s feature checkout',
    );
    op('operator on feature 2', 'feature-2.txt');
    p.repo.git('checkout', '-q', 'main');
    op('operator on main 2', 'main-2.txt');
    await mergeNow('sw3'); // checked out again

    await checkEnd(p, chunks);
    for (const [branch, file] of [
      ['main', 'main-1.txt'],
      ['main', 'main-2.txt'],
      ['feature', 'feature-1.txt'],
      ['feature', 'feature-2.txt'],
    ] as const) {
      assert.ok(
        p.repo.git('ls-tree', '--name-only', branch).includes(file),
        `the operator's ${file} is on ${branch}`,
      );
    }
    // feature branched off main after sw1 landed; sw2 and sw3 were merged while it existed: into main only
    const featureTree = p.repo.git('ls-tree', '-r', '--name-only', 'feature');
    assert.ok(
      !/src\/sw[23]\.txt/.test(featureTree),
      `no unit was merged into the operator's branch:\n${featureTree}`,
    );
    assert.equal(p.repo.readFile('README.md'), '# test repo\n\nthe operator is still writing this\n');
    assert.equal(p.repo.readFile('notes.txt'), 'untracked notes\n');
    assert.equal(
      p.repo.git('status', '--porcelain'),
      ' M README.md\n?? notes.txt\n',
      'only the operator’s own edits are pending',
    );
    for (const c of chunks)
      assert.ok(existsSync(join(p.root, 'src', `${c}.txt`)), `the checkout of main has src/${c}.txt`);
  });
  it('the operator checking base out just before the ref update: their working copy follows the merge', async () => {
    // hold main's ref update (after ve saw no working copy on main) until the operator is there
    const scratch = mkdtempSync(join(tmpdir(), 've-faults-git-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    const git = writeGitWrapper(scratch, [
      { tag: 'race', match: `*" update-ref "*" refs/heads/main "*`, action: 'hold-before' },
    ]);
    const p = project(planned('frace'), { PATH: git.path });
    await p.start(); // base: main
    p.repo.git('checkout', '-q', '-b', 'side');
    await p.mustVe('orch', 'inject', 'frace');
    await waitForFile(git.marker('race', 'entered'), 120_000);
    p.repo.writeFile('notes.txt', 'operator notes\n');
    p.repo.git('checkout', '-q', 'main');
    writeFileSync(git.marker('race', 'go'), '');
    await checkEnd(p, ['frace']);
    assert.equal(p.repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'main');
    // without the catch-up the index would still be the old main: a commit would revert the merge
    assert.equal(p.repo.git('status', '--porcelain'), '?? notes.txt\n');
    assert.equal(p.repo.readFile('src/frace.txt'), 'frace implemented\n');
  });
});
