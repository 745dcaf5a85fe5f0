/**
 * The SSH host pool's foundations end to end, on hosts made of network namespaces with their own sshd
 * and Unix user (test/support/netns-hosts.ts). Each `*.daemon.ts` file runs as the unprivileged
 * daemon user, which can reach a host only through ssh; this file, as root, sets up, then checks
 * from the outside what the daemon side could not fake.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHostPool, type HostPool, runAsDaemon } from '../support/netns-hosts.js';

const HERE = import.meta.dirname;
let pool: HostPool;

before(async () => {
  pool = await createHostPool({ hosts: 2 });
});
after(async () => {
  await pool?.teardown();
});

async function daemonSide(file: string): Promise<void> {
  const r = await runAsDaemon(pool, join(HERE, file));
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
});
