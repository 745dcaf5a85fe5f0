/**
 * The test host pool itself (test/support/netns-hosts.ts): hosts reachable only through ssh as the
 * daemon user, homes closed to that user, a killed sshd cuts live sessions and comes back, and
 * teardown leaves no namespace, link, user or home behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createHostPool, type HostPool } from '../support/netns-hosts.js';

let pool: HostPool;
before(async () => {
  pool = await createHostPool({ hosts: 2 });
});
after(async () => {
  await pool?.teardown();
});

const ssh = (alias: string, command: string) =>
  pool.daemon.exec('ssh', ['-o', 'BatchMode=yes', alias, command]);

describe('test host pool', () => {
  it('reaches each host over ssh as its own user, by the alias in the daemon user’s ssh config', async () => {
    for (const host of pool.hosts) {
      const r = await ssh(host.name, 'id -un; echo "$HOME"; git --version; cat /proc/self/net/dev | wc -l');
      assert.equal(r.code, 0, r.stderr);
      const [user, home, git] = r.stdout.split('\n');
      assert.equal(user, host.user);
      assert.equal(home, host.home);
      assert.match(git as string, /^git version /);
    }
  });

  it('runs the daemon side as an unprivileged user that cannot read a host’s home', async () => {
    const r = await pool.daemon.exec('sh', ['-c', `id -u; ls ${pool.hosts[0]!.home}`]);
    assert.equal(r.stdout.trim(), String(pool.daemon.uid));
    assert.notEqual(pool.daemon.uid, 0);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Permission denied/);
  });

  it('puts each host in its own network namespace', async () => {
    const [a, b] = pool.hosts as [(typeof pool.hosts)[0], (typeof pool.hosts)[0]];
    const r = await ssh(a.name, 'ip -o -4 addr show 2>/dev/null || cat /proc/net/fib_trie');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(a.address.replaceAll('.', '\\.')));
    assert.doesNotMatch(r.stdout, new RegExp(`${b.address.replaceAll('.', '\\.')}\\b`));
  });

  it('killing sshd cuts a live session at once, and the host comes back', async () => {
    const host = pool.hosts[1]!;
    const live = pool.daemon.spawn('ssh', ['-o', 'BatchMode=yes', host.name, 'echo up; exec sleep 600']);
    const exited = new Promise<number | null>((resolve) => live.once('exit', resolve));
    await new Promise<void>((resolve) => live.stdout!.once('data', () => resolve()));
    await pool.killSshd(host);
    assert.equal(await exited, 255);
    const down = await ssh(host.name, 'true');
    assert.equal(down.code, 255);
    assert.match(down.stderr, /Connection refused/);
    await pool.startSshd(host);
    const back = await ssh(host.name, 'echo back');
    assert.equal(back.stdout, 'back\n');
  });

  it('tears down everything it created, once', async () => {
    const created = {
      namespaces: pool.hosts.map((h) => h.namespace),
      users: [...pool.hosts.map((h) => h.user), pool.daemon.name],
      homes: [...pool.hosts.map((h) => h.home), pool.daemon.home],
    };
    await pool.teardown();
    await pool.teardown();
    const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of created.namespaces) assert.doesNotMatch(namespaces, new RegExp(`^${ns}\\b`, 'm'));
    const passwd = readFileSync('/etc/passwd', 'utf8');
    for (const u of created.users) assert.doesNotMatch(passwd, new RegExp(`^${u}:`, 'm'));
    for (const h of created.homes) assert.equal(existsSync(h), false, h);
  });
});
