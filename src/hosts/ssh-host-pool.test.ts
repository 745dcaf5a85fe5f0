/**
 * The ssh adapter's host operations end to end over test/fixtures/fake-ssh (the remote commands run
 * for real, in a folder per host): checks, the unit's work moving both ways with its uncommitted
 * files, the lease fence, removal, the sweep of a removed host, and a launch cut by a lost connection.
 * The same code over real sshd hosts: test/hosts/*.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeSshHosts } from '../../test/support/fake-ssh-hosts.js';
import { makeAdapter } from '../../test/support/git-adapter.js';
import { makeTestRepo } from '../../test/support/git-repo.js';
import { isOrchError, StaleLeaseError } from '../domain/errors.js';
import type { Host } from '../domain/host.js';
import { projectIdFor, SshHostPool } from './ssh-host-pool.js';

const hosts = fakeSshHosts();
const repo = makeTestRepo({ initialFiles: { 'README.md': '# r\n', '.gitignore': 'node_modules/\n' } });
after(() => {
  hosts.cleanup();
  repo.cleanup();
});
const worktrees = makeAdapter(repo);
const pool = new SshHostPool({
  transport: hosts.transport(join(repo.root, '.ve')),
  localRoot: repo.root,
  projectId: projectIdFor(repo.root),
  maskedNames: ['.bashrc', '.claude/'],
  localClaude: 'true',
});
const host = (name: string, over: Partial<Host> = {}): Host => ({
  name,
  ssh: `ve@${name}`,
  slots: 2,
  workdir: 've-work',
  claude_path: 'claude',
  state: 'active',
  health: 'unknown',
  health_detail: null,
  tools: null,
  last_check: null,
  created_at: '2026-01-01T00:00:00.000Z',
  ...over,
});
const lease = { epoch: 1, token: 'abcdef01' };

describe('SshHostPool over the ssh stand-in', () => {
  it('checks a host: tool versions, a missing Claude Code, and a host that is down', async () => {
    const bin = join(hosts.home('h1'), 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\necho "2.1.9 (Claude Code)"\n', { mode: 0o755 });
    const found = await pool.check(host('h1', { claude_path: join(bin, 'claude') }));
    assert.equal(found.unreachable, null);
    assert.match(found.tools?.git ?? '', /^git version /);
    assert.equal(found.tools?.claude, '2.1.9 (Claude Code)');
    const missing = await pool.check(host('h1', { claude_path: join(bin, 'nope') }));
    assert.equal(missing.tools?.claude, null);
    hosts.down('h1');
    const down = await pool.check(host('h1'));
    assert.match(down.unreachable ?? '', /Connection refused/);
    assert.match((await pool.ping(host('h1'))) ?? '', /Connection refused/);
    hosts.up('h1');
    assert.equal(await pool.ping(host('h1')), null);
  });

  it('moves a unit’s work both ways: branch, uncommitted, untracked and deleted files; ignored files stay', async () => {
    const ws = pool.workspace(host('h1'));
    const mine = await worktrees.ensure('alpha', { baseBranch: 'main' });
    await ws.ensureMirror('main');
    const wt = await ws.ensureWorktree('alpha', { baseBranch: 'main', lease, startPoint: 'orch/alpha' });
    assert.equal(wt.created, true);
    assert.ok(wt.path.startsWith(hosts.home('h1')));
    assert.equal(readFileSync(wt.excludesFile, 'utf8').split('\n').slice(0, 2).join(','), '.bashrc,.claude/');

    // the daemon's edits between phases reach the host
    writeFileSync(join(mine.path, 'NOTE.md'), 'feedback\n');
    await ws.sendState('alpha', lease, mine.path);
    assert.equal(readFileSync(join(wt.path, 'NOTE.md'), 'utf8'), 'feedback\n');

    // the agent works on the host: a commit, an edit, a new file, a deletion, dependencies
    repo.commit({ 'src/a.js': 'a\n' }, 'agent commit', wt.path);
    writeFileSync(join(wt.path, 'README.md'), '# edited\n');
    writeFileSync(join(wt.path, 'new.txt'), 'untracked\n');
    rmSync(join(wt.path, 'NOTE.md'));
    mkdirSync(join(wt.path, 'node_modules'));
    writeFileSync(join(wt.path, 'node_modules', 'dep.js'), 'dep\n');

    const before = repo.git(['rev-parse', 'orch/alpha']);
    const back = await ws.fetchBack('alpha', lease, before, mine.path);
    assert.equal(back.commit, repo.git(['rev-parse', 'HEAD'], wt.path));
    assert.equal(repo.git(['rev-parse', 'orch/alpha']), back.commit);
    assert.equal(repo.git(['log', '-1', '--format=%s'], mine.path), 'agent commit');
    assert.equal(readFileSync(join(mine.path, 'README.md'), 'utf8'), '# edited\n');
    assert.equal(readFileSync(join(mine.path, 'new.txt'), 'utf8'), 'untracked\n');
    assert.equal(existsSync(join(mine.path, 'NOTE.md')), false);
    assert.equal(existsSync(join(mine.path, 'node_modules')), false, 'ignored files stay on the host');
    assert.equal(repo.git(['status', '--porcelain'], mine.path), ' M README.md\n?? new.txt');

    // the daemon commits on the agent's behalf; the next phase starts from that on the host
    await worktrees.commitAll('alpha', 've: commit leftovers');
    await ws.sendState('alpha', lease, mine.path);
    assert.equal(repo.git(['status', '--porcelain'], wt.path), '');
    assert.equal(repo.git(['log', '-1', '--format=%s'], wt.path), 've: commit leftovers');
    assert.equal(readFileSync(join(wt.path, 'node_modules', 'dep.js'), 'utf8'), 'dep\n');
  });

  it('fences a stale placement: nothing fetched, nothing sent, nothing stopped', async () => {
    const ws = pool.workspace(host('h1'));
    const mine = await worktrees.ensure('alpha', { baseBranch: 'main' });
    const newer = { epoch: 2, token: 'ffffffff' };
    await ws.ensureWorktree('alpha', { baseBranch: 'main', lease: newer, startPoint: 'orch/alpha' });
    const tip = repo.git(['rev-parse', 'orch/alpha']);
    for (const attempt of [
      () => ws.fetchBack('alpha', lease, tip, mine.path),
      () => ws.fetchBack('alpha', lease, tip),
      () => ws.sendState('alpha', lease, mine.path),
      () => ws.stopUnit('alpha', lease),
    ])
      await assert.rejects(
        attempt(),
        (e) => e instanceof StaleLeaseError && /lease 2\/ffffffff/.test(e.message),
      );
    assert.equal(repo.git(['rev-parse', 'orch/alpha']), tip);
    await assert.rejects(
      ws.ensureWorktree('alpha', { baseBranch: 'main', lease, startPoint: 'orch/alpha' }),
      (e) => isOrchError(e, 'conflict'),
    );
    await ws.removeUnit('alpha', newer);
    assert.equal(
      existsSync(join(hosts.home('h1'), 've-work', projectIdFor(repo.root), 'worktrees', 'alpha')),
      false,
    );
  });

  it('sweeps a removed host: the project’s processes and folder go', async () => {
    const ws = pool.workspace(host('h2'));
    await ws.ensureMirror('main');
    await ws.ensureWorktree('beta', { baseBranch: 'main', lease, startPoint: 'main' });
    const folder = join(hosts.home('h2'), 've-work', projectIdFor(repo.root));
    assert.ok(existsSync(join(folder, 'worktrees', 'beta')));
    await pool.sweep(host('h2'));
    assert.equal(existsSync(folder), false);
  });

  it('tells a launch cut by a lost connection from one that ended by itself', async () => {
    const claude = join(hosts.home('h3'), 'claude');
    mkdirSync(hosts.home('h3'), { recursive: true });
    // stands in for Claude Code: holds the session until its stdin closes
    writeFileSync(claude, '#!/bin/sh\ncat >/dev/null\n', { mode: 0o755 });
    const ws = pool.workspace(host('h3', { claude_path: claude }));
    await ws.ensureMirror('main');
    const wt = await ws.ensureWorktree('gamma', { baseBranch: 'main', lease, startPoint: 'main' });
    const launcher = await ws.claudeLauncher({ chunk: 'gamma', lease });
    const abort = new AbortController();
    const proc = launcher.spawn?.({ command: claude, args: [], cwd: wt.path, env: {}, signal: abort.signal });
    assert.ok(proc);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    hosts.down('h3');
    assert.equal(await exited, 255);
    await launcher.settled();
    assert.match(launcher.connectionLost() ?? '', /connection to host h3 was lost/);
    hosts.up('h3');

    const again = await ws.claudeLauncher({ chunk: 'gamma', lease });
    const p2 = again.spawn?.({ command: claude, args: [], cwd: wt.path, env: {}, signal: abort.signal });
    const exited2 = new Promise<number | null>((resolve) => p2?.once('exit', (code) => resolve(code)));
    p2?.stdin.end();
    assert.equal(await exited2, 0);
    assert.equal(again.connectionLost(), null);
  });
});
