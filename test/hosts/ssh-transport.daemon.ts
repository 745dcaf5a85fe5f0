/**
 * Runs as the daemon user (through hosts.e2e.test.ts): the SSH transport against real sshd hosts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RemoteCommandError, SshConnectionError } from '../../src/hosts/errors.js';
import { parseSshTarget } from '../../src/hosts/ssh-command.js';
import { controlDirFor, type SshHost, SshTransport } from '../../src/hosts/ssh-transport.js';
import { poolFromEnv } from '../support/netns-hosts.js';

const pool = poolFromEnv();
const stateDir = join(mkdtempSync(join(pool.daemonHome, 'p-')), '.ve');
const transport = new SshTransport({ controlDir: controlDirFor(stateDir) });
// by alias: the user's ~/.ssh/config supplies address, user, key and known_hosts
const h1: SshHost = { name: 'h1', target: parseSshTarget(pool.hosts[0]!.name) };

describe('SshTransport', () => {
  it('runs a remote argv with every argument intact, stdin included', async () => {
    const args = ['a b', "it's", '$(touch pwned)', '`id`', ';x', '*', 'two\nlines', ''];
    const r = await transport.run(h1, ['sh', '-c', 'printf "%s\\0" "$@"; cat', 'sh', ...args], {
      input: 'from stdin',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\0'), [...args, 'from stdin']);
    assert.equal((await transport.run(h1, ['test', '-e', 'pwned'])).code, 1);
  });

  it('reports the remote exit status, and runOk turns it into RemoteCommandError', async () => {
    assert.equal((await transport.run(h1, ['sh', '-c', 'echo oops >&2; exit 3'])).code, 3);
    await assert.rejects(transport.runOk(h1, ['sh', '-c', 'echo oops >&2; exit 3']), (e: unknown) => {
      assert.ok(e instanceof RemoteCommandError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /oops/);
      return true;
    });
  });

  it('tells a remote exit 255 or a remote signal from a connection failure', async () => {
    assert.equal((await transport.run(h1, ['sh', '-c', 'exit 255'])).code, 255);
    assert.equal((await transport.run(h1, ['sh', '-c', 'kill -TERM $$'])).code, 255);
    const nobody: SshHost = { name: 'nobody', target: parseSshTarget(`${pool.gateway}:1`) };
    await assert.rejects(transport.run(nobody, ['true']), (e: unknown) => {
      assert.ok(e instanceof SshConnectionError, String(e));
      assert.equal(e.host, 'nobody');
      assert.match(e.message, /Connection refused/);
      return true;
    });
  });

  it('reports a connection lost mid-command as SshConnectionError', async () => {
    const user = pool.hosts[0]!.user;
    const running = transport.run(h1, ['sh', '-c', 'exec sleep 60']);
    // once it runs, close the master connection: what a dropped network looks like to ssh
    for (let i = 0; (await transport.run(h1, ['pgrep', '-u', user, '-x', 'sleep'])).code !== 0; i++)
      assert.ok(i < 100, 'the remote command never started');
    await transport.disconnect(h1);
    await assert.rejects(running, SshConnectionError);
    // without a terminal, sshd sends the remote command no signal: it runs on (docs/hosts.md, "Kill")
    assert.equal(await transport.runOk(h1, ['pgrep', '-c', '-u', user, '-x', 'sleep']), '1\n');
    await transport.runOk(h1, ['pkill', '-u', user, '-x', 'sleep']);
  });

  it('keeps control sockets in a 0700 folder under .ve/', async () => {
    await transport.runOk(h1, ['true']);
    const dir = join(stateDir, 'ssh');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(await transport.connected(h1));
  });

  it('pays the handshake once: commands share one connection until it drops', async () => {
    // the client's address and port as sshd saw them: one TCP connection, one port
    const connection = () => transport.runOk(h1, ['printenv', 'SSH_CONNECTION']);
    await transport.disconnect(h1);
    const first = await connection();
    assert.match(first, /^\S+ \d+ \S+ \d+\n$/);
    assert.equal(await connection(), first, 'the second command rides the first one’s connection');
    assert.equal(await connection(), first);
    await transport.disconnect(h1);
    assert.notEqual(await connection(), first, 'after a drop, a new connection');
    // what that saves, printed for the record (no test asserts a time: docs/performance.md)
    const timed = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const handshakes: number[] = [];
    const multiplexed: number[] = [];
    for (let i = 0; i < 5; i++) {
      await transport.disconnect(h1);
      handshakes.push(await timed(() => transport.runOk(h1, ['true'])));
      multiplexed.push(await timed(() => transport.runOk(h1, ['true'])));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(
      `measure: ssh command with a new connection ${median(handshakes).toFixed(0)} ms, multiplexed ${median(multiplexed).toFixed(0)} ms (median of 5)`,
    );
  });
});
