/**
 * The SSH host pool's foundations end to end, on hosts made of network namespaces with their own sshd
 * and Unix user (test/support/netns-hosts.ts). Each `*.daemon.ts` file runs as the unprivileged
 * daemon user, which can reach a host only through ssh; this file, as root, sets up, then checks
 * from the outside what the daemon side could not fake.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claudeBinaryPath } from '../../src/demo/scripted-model-server.js';
import { createHostPool, type HostPool, namespaceProcesses, runAsDaemon } from '../support/netns-hosts.js';

const HERE = import.meta.dirname;
const ROOT = join(HERE, '..', '..', '..');
let pool: HostPool;
let bundleDir: string;

before(async () => {
  pool = await createHostPool({ hosts: 2, claudeBinary: claudeBinaryPath() });
  // this project's own history, as a realistic repository to mirror (readable by the daemon user)
  bundleDir = mkdtempSync(join(tmpdir(), 've-bundle-'));
  chmodSync(bundleDir, 0o755);
  execFileSync('git', ['bundle', 'create', '-q', join(bundleDir, 've.bundle'), 'HEAD'], { cwd: ROOT });
});
after(async () => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  await pool?.teardown();
});

/** an API key no one could guess: it must reach the model server and nothing else */
const secret = `sk-ant-ve-test-${randomBytes(12).toString('hex')}`;

async function daemonSide(file: string, whileRunning?: () => Promise<void>): Promise<void> {
  const running = runAsDaemon(pool, join(HERE, file), {
    VE_TEST_BUNDLE: join(bundleDir, 've.bundle'),
    VE_TEST_SECRET: secret,
  });
  await whileRunning?.();
  const r = await running;
  for (const line of r.output.split('\n').filter((l) => l.includes('measure:'))) console.log(line.trim());
  assert.equal(r.code, 0, r.output);
  // a daemon-side file that ran no test at all would also exit 0
  assert.ok(Number(/ℹ tests (\d+)/.exec(r.output)?.[1]) > 0, r.output);
  assert.match(r.output, /ℹ fail 0\n/);
}

/** waits for the daemon side to create `path` (its way of saying where it is) */
async function untilFile(path: string): Promise<void> {
  for (let i = 0; !existsSync(path); i++) {
    assert.ok(i < 1200, `the daemon side never wrote ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SSH hosts, daemon side as an unprivileged user', () => {
  it('transport: quoting, exit status vs connection failure, multiplexing', async () => {
    await daemonSide('ssh-transport.daemon.js');
  });

  it('repository: mirror, worktree, fetch-back, lease fence', async () => {
    await daemonSide('remote-repo.daemon.js');
  });

  it('a host whose sshd dies mid-phase: the phase ends at once, the unit resumes there when it is back', async () => {
    const host = pool.hosts[0]!;
    const signals = join(pool.daemon.home, 'signals');
    await daemonSide('host-failure.daemon.js', async () => {
      await untilFile(join(signals, 'phase-running'));
      await pool.killSshd(host);
      await untilFile(join(signals, 'phase-ended'));
      await pool.startSshd(host);
      writeFileSync(join(signals, 'sshd-back'), '', { mode: 0o644 });
    });
  });

  it('Claude Code over ssh: the real SDK and binary, tools, resume, abort, secrets, sandbox', async () => {
    await daemonSide('remote-claude.daemon.js');
    // seen from outside: the agent's file is in the host user's worktree
    const host = pool.hosts[0]!;
    const worktree = join(host.home, 've-work', 'claude-e2e', 'worktrees', 'alpha');
    assert.equal(readFileSync(join(worktree, 'hello.txt'), 'utf8'), 'hi from the host\n');
    // nothing of the host user runs any more but the daemon's ssh sessions (zombies run nothing: this
    // machine's init is slow to reap them)
    const left = namespaceProcesses(host.namespace).filter(
      (p) => p.uid === host.uid && p.comm !== 'sshd' && p.state !== 'Z',
    );
    assert.deepEqual(left, []);
    // no file anywhere the hosts or the daemon could write holds the key
    const holders = execFileSync(
      'sh',
      [
        '-c',
        'grep -rlF --exclude=claude -e "$1" "$2" "$3" "$4" /tmp 2>/dev/null || true',
        'sh',
        secret,
        ...pool.hosts.map((h) => h.home),
        pool.daemon.home,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(holders, '');
  });
});
