/**
 * The launcher and the stop script run here with /bin/sh standing in for Claude Code: no ssh, the
 * same shell code a host runs.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { assertNativeClaude, LAUNCHER, launchHeader, remoteEnv, STARTED_MARKER } from './claude-launch.js';
import { STOP_PROCESSES } from './remote-scripts.js';

const dir = mkdtempSync(join(tmpdir(), 've-launch-'));
const runDir = join(dir, 'run');
const leaseFile = join(dir, 'lease');
writeFileSync(leaseFile, '1 abcdef01\n');
after(() => rmSync(dir, { recursive: true, force: true }));
// a launch that ended by itself leaves its pid file (the SSH launcher's sweep removes it): not here
afterEach(() => rmSync(runDir, { recursive: true, force: true }));

interface Launch {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function launch(id: string, script: string, env: Record<string, string>, leaseLine = '1 abcdef01'): Launch {
  const end = `ve-end-${id}`;
  const child = spawn('sh', ['-c', LAUNCHER, 'sh', runDir, id, end, leaseFile, leaseLine, STOP_PROCESSES]);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.on('error', () => {});
  child.stdin.write(
    launchHeader({ executable: '/bin/sh', args: ['-c', script, 'sh', 'a b', "it's"], cwd: dir, env }, end),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    assert.ok(i < 200, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** the process exists and is not a zombie (a killed orphan waits for init to reap it) */
const isAlive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('remote environment', () => {
  it('forwards what configures Claude Code, not what describes the daemon’s machine', () => {
    const claudeConfig = {
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: 'u',
      CLAUDE_CODE_ENTRYPOINT: 'sdk-ts',
    };
    const debugging = { GIT_CONFIG_COUNT: '1', DEBUG: '1' };
    const daemonMachine = { HOME: '/root', PATH: '/usr/bin', SSH_AUTH_SOCK: '/tmp/agent' };
    const env = remoteEnv({
      ...claudeConfig,
      ...debugging,
      ...daemonMachine,
      CLAUDE_CONFIG_DIR: '/root/.claude',
      GIT_DIR: '/x',
      GIT_SSH_COMMAND: 'ssh -i key',
      ANTHROPIC_X: undefined,
      'BAD-NAME': 'x',
    });
    assert.deepEqual(Object.keys(env).sort(), Object.keys({ ...claudeConfig, ...debugging }).sort());
  });

  it('runs only a native Claude Code, not a JS runtime with a script', () => {
    assert.doesNotThrow(() => assertNativeClaude('/opt/sdk/claude'));
    assert.throws(() => assertNativeClaude('/usr/bin/node'), /native binary/);
  });
});

describe('launcher', () => {
  it('takes env, folder and argv from stdin, records its pid, then hands the stream over intact', async () => {
    const secret = 'sk-ant-secret-\'"$(id)`x`\nline2';
    const l = launch(
      'aaaa1111',
      'printf "%s|%s|%s|%s|%s\\n" "$PWD" "$SECRET" "$1" "$2" "$VE_RUN"; exec cat',
      { SECRET: secret },
    );
    await until(() => l.stdout().includes('\n'), 'the first line');
    assert.equal(l.stdout(), `${dir}|${secret}|a b|it's|aaaa1111\n`);
    assert.match(l.stderr(), new RegExp(STARTED_MARKER));
    // the secret is in no command line, the pid file is private
    const pidFile = join(runDir, 'aaaa1111.pid');
    const [pid, start, group] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [
      number,
      number,
      number,
    ];
    assert.equal(pid, l.child.pid, 'exec kept the launcher’s pid');
    assert.ok(start > 0 && group > 0);
    assert.equal(statSync(pidFile).mode & 0o777, 0o600);
    for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      assert.ok(!cmd.includes('sk-ant-secret'), `pid ${p} shows the secret: ${cmd}`);
    }
    // what follows the header is the program's own stdin, not a byte lost
    l.child.stdin!.end('stream after the header\n');
    assert.equal(await l.exit, 0);
    assert.ok(l.stdout().endsWith('aaaa1111\nstream after the header\n'), l.stdout());
  });

  it('starts nothing under another lease', async () => {
    const l = launch('bbbb2222', 'echo ran', {}, '2 abcdef01');
    l.child.stdin!.end();
    assert.equal(await l.exit, 98);
    assert.match(l.stderr(), /stale lease/);
    assert.equal(l.stdout(), '');
    assert.throws(() => statSync(join(runDir, 'bbbb2222.pid')), { code: 'ENOENT' });
  });

  it('refuses a stream without a complete header', async () => {
    const child = spawn('sh', [
      '-c',
      LAUNCHER,
      'sh',
      runDir,
      'cccc3333',
      've-end-x',
      leaseFile,
      '1 abcdef01',
      STOP_PROCESSES,
    ]);
    child.stdin.end('export A=1\n');
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    assert.equal(await new Promise((r) => child.once('exit', r)), 97);
    assert.match(err, /no launch header/);
  });
});

describe('stopping a launch', () => {
  it('stops the process and the tools it detached into sessions of their own', async () => {
    const l = launch('dddd4444', 'setsid sleep 300 & echo "$!"; exec cat', {});
    await until(() => l.stdout().includes('\n'), 'the detached child');
    const detached = Number(l.stdout().trim());
    assert.ok(isAlive(detached));
    execFileSync('sh', ['-c', STOP_PROCESSES, 'sh', runDir, 'TERM', 'dddd4444.pid']);
    await l.exit;
    await until(() => !isAlive(detached), 'the detached child to die');
    assert.throws(() => statSync(join(runDir, 'dddd4444.pid')), { code: 'ENOENT' });
  });

  it('a new launch of the unit stops what an earlier one left running', async () => {
    const first = launch('ffff6666', 'setsid sleep 300 & echo "$!"; exec cat', {});
    await until(() => first.stdout().includes('\n'), 'the first launch');
    const leftover = Number(first.stdout().trim());
    const second = launch('ffff7777', 'echo second; exec cat', {});
    await until(() => second.stdout().includes('second'), 'the second launch');
    await first.exit;
    await until(() => !isAlive(leftover), 'the first launch’s leftover to be gone');
    second.child.stdin!.end();
    assert.equal(await second.exit, 0);
  });

  it('leaves a recycled pid alone', () => {
    // this process, recorded with a start time it does not have
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'eeee5555.pid'), `${process.pid} 1 ${process.pid}\n`);
    execFileSync('sh', ['-c', STOP_PROCESSES, 'sh', runDir, 'KILL', '']);
    assert.ok(isAlive(process.pid));
    assert.throws(() => statSync(join(runDir, 'eeee5555.pid')), { code: 'ENOENT' });
  });
});
