/**
 * The SSH host pool's foundations end to end, on hosts made of network namespaces with their own sshd
 * and Unix user (test/support/netns-hosts.ts). Each `*.daemon.ts` file runs as the unprivileged
 * daemon user, which can reach a host only through ssh; this file, as root, sets up, then checks
 * from the outside what the daemon side could not fake.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHostPool, type HostPool, runAsDaemon } from '../support/netns-hosts.js';

const HERE = import.meta.dirname;
const ROOT = join(HERE, '..', '..', '..');
let pool: HostPool;
let bundleDir: string;

before(async () => {
  pool = await createHostPool({ hosts: 2 });
  // this project's own history, as a realistic repository to mirror (readable by the daemon user)
  bundleDir = mkdtempSync(join(tmpdir(), 've-bundle-'));
  chmodSync(bundleDir, 0o755);
  execFileSync('git', ['bundle', 'create', '-q', join(bundleDir, 've.bundle'), 'HEAD'], { cwd: ROOT });
});
after(async () => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  await pool?.teardown();
});

async function daemonSide(file: string): Promise<void> {
  const r = await runAsDaemon(pool, join(HERE, file), { VE_TEST_BUNDLE: join(bundleDir, 've.bundle') });
  for (const line of r.output.split('\n').filter((l) => l.includes('measure:'))) console.log(line.trim());
  assert.equal(r.code, 0, r.output);
  // a daemon-side file that ran no test at all would also exit 0
  assert.ok(Number(/ℹ tests (\d+)/.exec(r.output)?.[1]) > 0, r.output);
  assert.match(r.output, /ℹ fail 0\n/);
}

describe('SSH hosts, daemon side as an unprivileged user', () => {
  it('transport: quoting, exit status vs connection failure, multiplexing', async () => {
    await daemonSide('ssh-transport.daemon.js');
  });

  it('repository: mirror, worktree, fetch-back, lease fence', async () => {
    await daemonSide('remote-repo.daemon.js');
  });
});
