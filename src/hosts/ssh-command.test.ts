import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  controlPath,
  destinationArgs,
  MAX_CONTROL_DIR,
  parseSshTarget,
  remoteCommand,
  shellQuote,
  sshOptions,
  sshUrl,
} from './ssh-command.js';

describe('parseSshTarget', () => {
  it('reads user, host and port', () => {
    assert.deepEqual(parseSshTarget('ve@build-1.example.com:2222'), {
      user: 've',
      host: 'build-1.example.com',
      port: 2222,
    });
    assert.deepEqual(parseSshTarget('gpu3'), { user: null, host: 'gpu3', port: null });
    assert.deepEqual(parseSshTarget('root@[fe80::1]:22'), { user: 'root', host: 'fe80::1', port: 22 });
  });

  it('refuses what ssh could read as an option or a shell could expand', () => {
    for (const bad of [
      '-oProxyCommand=x',
      'a b',
      'u@-h',
      'h:0',
      'h:70000',
      'h:22x',
      '$(id)@h',
      'h;x',
      '',
      '[::1',
    ]) {
      assert.throws(() => parseSshTarget(bad), /invalid ssh target/, bad);
    }
  });

  it('gives ssh and git the same destination', () => {
    const t = parseSshTarget('ve@10.0.0.2:2222');
    assert.deepEqual(destinationArgs(t), ['-p', '2222', 've@10.0.0.2']);
    assert.equal(sshUrl(t, '/srv/ve/p/mirror.git'), 'ssh://ve@10.0.0.2:2222/srv/ve/p/mirror.git');
    assert.equal(sshUrl(parseSshTarget('[::1]'), '/m.git'), 'ssh://[::1]/m.git');
  });
});

describe('remote quoting', () => {
  const hostile = ['a b', "it's", '$(touch pwned)', '`id`', ';rm -rf /', '*', 'line\nbreak', '', '"q"', '\\'];

  it('brings every argument through a POSIX shell unchanged', () => {
    const out = execFileSync('sh', ['-c', remoteCommand(['printf', '%s\\0', ...hostile])], {
      encoding: 'utf8',
    });
    assert.deepEqual(out.split('\0').slice(0, -1), hostile);
  });

  it('quotes every word, also harmless ones', () => {
    assert.equal(shellQuote('git'), "'git'");
    assert.equal(remoteCommand(['echo', "a'b"]), `'echo' 'a'\\''b'`);
    assert.throws(() => remoteCommand([]), /empty/);
  });
});

describe('ssh options', () => {
  it('multiplexes, never prompts and keeps the connection alive', () => {
    const opts = sshOptions('/p/.ve/ssh/0123456789abcdef').join(' ');
    for (const o of [
      'BatchMode=yes',
      'ControlMaster=auto',
      'ControlPath=/p/.ve/ssh/',
      'ControlPersist=',
      'ServerAliveInterval=',
    ])
      assert.ok(opts.includes(o), o);
  });

  it('names the control socket by a short hash that fits a unix socket path', () => {
    const dir = `/${'d'.repeat(MAX_CONTROL_DIR - 1)}`;
    const path = controlPath(dir, 'user@host:22');
    assert.ok(Buffer.byteLength(path) + 17 <= 107, `${path.length}`);
    assert.notEqual(controlPath(dir, 'a@h:22'), controlPath(dir, 'a@h:23'));
    assert.throws(() => controlPath(`${dir}x`, 'u@h'), /longer than/);
  });
});
