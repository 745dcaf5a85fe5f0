/**
 * Runs as the daemon user (through hosts.e2e.test.ts): the mirror on a host, a unit's worktree made
 * from it, the fetch of its branch back, and the lease fence around both.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StaleLeaseError } from '../../src/hosts/errors.js';
import { RemoteRepo } from '../../src/hosts/remote-repo.js';
import { parseSshTarget } from '../../src/hosts/ssh-command.js';
import { controlDirFor, type SshHost, SshTransport } from '../../src/hosts/ssh-transport.js';
import { poolFromEnv } from '../support/netns-hosts.js';

const pool = poolFromEnv();
const work = mkdtempSync(join(pool.daemonHome, 'repo-'));
const local = join(work, 'project');
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: local, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
// a real history to mirror: this project's own, bundled by the root side
const bundle = process.env.VE_TEST_BUNDLE;
if (bundle) {
  execFileSync('git', ['clone', '-q', bundle, local], { stdio: 'ignore' });
  git('checkout', '-q', '-B', 'main');
} else {
  execFileSync('git', ['init', '-q', '-b', 'main', local]);
  writeFileSync(join(local, 'README'), 'hi\n');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
}
git('config', 'user.name', 've daemon');
git('config', 'user.email', 'daemon@ve-test.invalid');

const transport = new SshTransport({ controlDir: controlDirFor(join(local, '.ve')) });
const h1: SshHost = { name: 'h1', target: parseSshTarget(pool.hosts[0]!.name) };
const repo = new RemoteRepo({ transport, host: h1, localRoot: local, projectId: 'proj', workdir: 've-work' });
const onHost = (...argv: string[]) => transport.runOk(h1, argv).then((s) => s.trim());
const lease = (epoch: number) => ({ epoch, token: `${epoch}`.repeat(8).slice(0, 8).padEnd(8, '0') });
const ms = (n: number) => `${n.toFixed(0)} ms`;

describe('the repository on a host', () => {
  it('mirrors the base branch, then sends only new objects', async () => {
    const first = await repo.ensureMirror('main');
    const all = Number(git('rev-list', '--objects', '--count', 'main'));
    assert.equal(first.objects, all);
    const l = await repo.layout();
    assert.equal(
      await onHost('git', '-C', l.mirror, 'rev-parse', 'refs/heads/main'),
      git('rev-parse', 'main'),
    );

    writeFileSync(join(local, 'NEW.md'), 'one new file\n');
    git('add', 'NEW.md');
    git('commit', '-qm', 'one more');
    const next = await repo.ensureMirror('main');
    assert.equal(next.objects, 3, 'a commit, its tree and one blob'); // top-level file: one tree
    const none = await repo.ensureMirror('main');
    assert.equal(none.objects, 0);
    console.log(
      `measure: first mirror push ${all} objects ${ms(first.ms)}; incremental push of one commit (3 objects) ${ms(next.ms)}; up-to-date push ${ms(none.ms)}`,
    );
  });

  it('makes the unit’s worktree on the host, a clone sharing the mirror’s objects, and finds it again', async () => {
    const wt = await repo.ensureWorktree('alpha', {
      baseBranch: 'main',
      lease: lease(1),
      startPoint: 'main',
    });
    assert.equal(wt.created, true);
    assert.equal(wt.branch, 'orch/alpha');
    assert.equal(wt.head, git('rev-parse', 'main'));
    assert.equal(existsSync(wt.path), false, 'nothing of the worktree is on the daemon’s side');
    assert.equal(await onHost('git', '-C', wt.path, 'symbolic-ref', 'HEAD'), 'refs/heads/orch/alpha');
    const l = await repo.layout();
    // a repository of its own: no git directory shared with another unit's agent
    assert.equal(wt.commonDir, `${wt.path}/.git`);
    assert.equal(
      await onHost('cat', `${wt.path}/.git/objects/info/alternates`),
      `${l.mirror}/objects`,
      'its objects come from the mirror, none copied',
    );
    assert.equal(await onHost('stat', '-c', '%a', l.lease('alpha')), '600');
    const again = await repo.ensureWorktree('alpha', {
      baseBranch: 'main',
      lease: lease(1),
      startPoint: 'main',
    });
    assert.deepEqual(again, { ...wt, created: false });
  });

  it('fetches the unit’s branch back into the operator’s repository', async () => {
    const l = await repo.layout();
    const wt = l.worktree('alpha');
    await onHost(
      'sh',
      '-c',
      'cd "$1" && echo work > work.txt && git add work.txt && git commit -qm "agent work"',
      'sh',
      wt,
    );
    const tip = await onHost('git', '-C', wt, 'rev-parse', 'HEAD');
    const fetched = await repo.fetchBack('alpha', lease(1), null);
    assert.equal(fetched.commit, tip);
    assert.equal(git('rev-parse', 'orch/alpha'), tip);
    assert.equal(git('show', 'orch/alpha:work.txt'), 'work');
    assert.equal(git('for-each-ref', 'refs/ve/'), '', 'no temporary refs left');
    await onHost('sh', '-c', 'cd "$1" && echo more >> work.txt && git commit -qam "more work"', 'sh', wt);
    const second = await repo.fetchBack('alpha', lease(1), tip);
    assert.equal(second.objects, 3);
    assert.equal(second.previous, tip);
    console.log(`measure: fetch-back of one commit ${ms(second.ms)} (3 objects)`);
  });

  it('refuses a fetch when the local branch moved (compare-and-swap)', async () => {
    const before = git('rev-parse', 'orch/alpha');
    await assert.rejects(repo.fetchBack('alpha', lease(1), git('rev-parse', 'main')), /update-ref/);
    assert.equal(git('rev-parse', 'orch/alpha'), before);
  });

  it('fences: a stale lease fetches nothing, a newer one replaces the host’s copy', async () => {
    const before = git('rev-parse', 'orch/alpha');
    // the unit moves on: placement 2 starts from the last fetched state
    const moved = await repo.ensureWorktree('alpha', {
      baseBranch: 'main',
      lease: lease(2),
      startPoint: before,
    });
    assert.equal(moved.created, true);
    assert.equal(moved.head, before);
    // the holder of placement 1 may neither fetch nor make a worktree any more
    await assert.rejects(repo.fetchBack('alpha', lease(1), before), StaleLeaseError);
    await assert.rejects(
      repo.ensureWorktree('alpha', { baseBranch: 'main', lease: lease(1), startPoint: 'main' }),
      StaleLeaseError,
    );
    // same epoch, another token: also refused
    await assert.rejects(repo.fetchBack('alpha', { epoch: 2, token: 'deadbeef' }, before), StaleLeaseError);
    assert.equal(git('rev-parse', 'orch/alpha'), before);
    const back = await repo.fetchBack('alpha', lease(2), before);
    assert.equal(back.commit, before);
    assert.equal(back.objects, 0);
  });

  it('rejects bad names before touching the host', async () => {
    await assert.rejects(
      repo.ensureWorktree('../x', { baseBranch: 'main', lease: lease(1), startPoint: 'main' }),
      /invalid chunk name/,
    );
    assert.throws(
      () => new RemoteRepo({ transport, host: h1, localRoot: local, projectId: '../p', workdir: 'w' }),
      /invalid project id/,
    );
  });
});
