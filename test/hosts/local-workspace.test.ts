/**
 * LocalWorkspace: the host `local` over the existing Worktrees adapter, so a runner written against
 * HostWorkspace keeps today's behaviour on the daemon's own machine.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LocalWorkspace } from '../../src/hosts/local-workspace.js';
import { makeAdapter } from '../support/git-adapter.js';
import { makeTestRepo } from '../support/git-repo.js';

const repo = makeTestRepo();
after(() => repo.cleanup());
const workspace = new LocalWorkspace({ worktrees: makeAdapter(repo), root: repo.root });
const lease = { epoch: 1, token: 'abcdef01' };

describe('LocalWorkspace', () => {
  it('makes the unit’s worktree in the operator’s repository, as the Worktrees port does', async () => {
    assert.deepEqual(await workspace.ensureMirror('main'), { objects: 0, ms: 0 });
    const wt = await workspace.ensureWorktree('alpha', { baseBranch: 'main', lease, startPoint: 'main' });
    assert.equal(wt.path, `${repo.root}/.ve/chunks/alpha/worktree`);
    assert.equal(wt.branch, 'orch/alpha');
    assert.equal(wt.head, repo.git(['rev-parse', 'main']));
    assert.equal(wt.commonDir, `${repo.root}/.git`);
    assert.equal(wt.created, true);
    const again = await workspace.ensureWorktree('alpha', { baseBranch: 'main', lease, startPoint: 'main' });
    assert.equal(again.created, false);
  });

  it('has the branch already: fetch-back reports its tip and moves nothing', async () => {
    const wt = await workspace.ensureWorktree('alpha', { baseBranch: 'main', lease, startPoint: 'main' });
    const tip = repo.commit({ 'work.txt': 'w\n' }, 'work', wt.path);
    const back = await workspace.fetchBack('alpha', lease, null);
    assert.equal(back.commit, tip);
    assert.equal(back.objects, 0);
  });

  it('leaves Claude Code to the SDK’s own spawn and runs commands in a folder', async () => {
    const launcher = await workspace.claudeLauncher();
    assert.equal(launcher.spawn, undefined);
    await launcher.settled();
    const r = await workspace.runCommand(['sh', '-c', 'pwd; cat; exit 4'], { cwd: repo.root, input: 'in' });
    assert.deepEqual(r, { code: 4, stdout: `${repo.root}\nin`, stderr: '' });
  });
});
