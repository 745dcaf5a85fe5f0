/** ProcessVerifier on real processes, real git checkouts and the real bubblewrap sandbox. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isolateGitConfig, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { GitVerifyCheckouts } from '../git/verify-checkouts.js';
import { silentLogger } from '../infra/json-logger.js';
import type { VerifyRequest } from '../ports/train.js';
import { killRecordedGroup, processStartTime } from '../process/process-identity.js';
import { ProcessVerifier } from './process-verifier.js';

isolateGitConfig();

/** running, not a zombie waiting to be reaped (this container's init may reap late) */
const alive = (pid: number) => processStartTime(pid) !== null;

/**
 * any process whose command line matches (anchored: the scripts that start them name them too; the
 * durations are unusual so that other test files' sleeps, run beside this one, never match)
 */
async function sleepers(pattern = '^sleep 30[34]$'): Promise<boolean> {
  const pg = spawn('pgrep', ['-f', pattern]);
  return (await new Promise((r) => pg.on('close', r))) === 0;
}

describe('ProcessVerifier', () => {
  let repo: TestRepo;
  let head: string;
  beforeEach(() => {
    repo = makeTestRepo({
      initialFiles: {
        'test.sh': 'echo "testing $(cat a.txt)"\ntest "$(cat a.txt)" = good\n',
        'a.txt': 'good\n',
      },
    });
    head = repo.git(['rev-parse', 'HEAD']);
  });
  afterEach(() => repo.cleanup());

  const verifier = (opts: { sandbox?: boolean; floodBytes?: number } = {}) =>
    new ProcessVerifier({
      checkouts: new GitVerifyCheckouts(repo.root, join(repo.root, '.ve', 'verify')),
      log: silentLogger,
      env: () => ({ ...process.env, CI: 'true' }),
      writable: [join(repo.root, '.ve', 'cache')],
      ...(opts.sandbox === false ? { sandboxUnavailable: async () => 'off for this test' } : {}),
      ...(opts.floodBytes !== undefined ? { floodBytes: opts.floodBytes } : {}),
    });
  const request = (
    command: string,
    over: Partial<VerifyRequest> = {},
  ): VerifyRequest & { output: string[] } => {
    const output: string[] = [];
    return {
      slot: 0,
      commit: head,
      command,
      timeoutMs: 60_000,
      sandbox: 'auto',
      logFile: join(repo.root, '.ve', 'logs', `${Math.random()}.log`),
      onOutput: (t) => output.push(t),
      onStarted: () => {},
      signal: new AbortController().signal,
      marker: `test-${process.pid}`,
      output,
      ...over,
    };
  };

  it('passes and fails by exit code, with the output live, in the tail and in the log file', async () => {
    const v = verifier();
    const ok = request('sh test.sh');
    const passed = await v.run(ok);
    assert.equal(passed.outcome, 'passed');
    assert.equal(passed.sandboxed, true, 'bubblewrap runs on this machine');
    assert.match(ok.output.join(''), /testing good/);
    assert.match(readFileSync(ok.logFile, 'utf8'), /testing good/);
    const bad = repo.commit({ 'a.txt': 'bad\n' }, 'break it');
    const failed = await v.run(request('sh test.sh', { commit: bad }));
    assert.deepEqual([failed.outcome, failed.exitCode], ['failed', 1]);
    assert.match(failed.tail, /testing bad/);
  });

  it('kills the whole process tree at the timeout', async () => {
    for (const sandbox of [true, false]) {
      const v = verifier({ sandbox });
      const req = request('sleep 3171 & echo $! > sleeper.pid; sleep 3172', { timeoutMs: 500 });
      const r = await v.run(req);
      assert.equal(r.outcome, 'timeout');
      assert.match(r.message ?? '', /timed out after 1 s/);
      if (!sandbox) {
        // outside the sandbox the pid is the host's: it must be gone
        const pid = Number(readFileSync(join(repo.root, '.ve', 'verify', 'slot-0', 'sleeper.pid'), 'utf8'));
        for (let i = 0; i < 50 && alive(pid); i++) await sleep(20);
        assert.ok(!alive(pid), 'the background child was killed with its group');
      }
    }
    // a killed process is gone once the kernel has torn it down: wait for that, briefly
    for (let i = 0; i < 50 && (await sleepers('^sleep 317[12]$')); i++) await sleep(20);
    assert.equal(await sleepers('^sleep 317[12]$'), false, 'no sleeper survived, sandboxed or not');
  });

  it('stops a command that floods its output, keeping only a capped log', async () => {
    const r = await verifier({ floodBytes: 4 * 1024 * 1024 }).run(request('yes flood'));
    assert.equal(r.outcome, 'failed');
    assert.match(r.message ?? '', /MiB of output; it was stopped/);
  });

  it('fails a command that deletes its own checkout, and the next run gets a fresh one', async () => {
    const v = verifier();
    const r = await v.run(request('rm -rf .git && true'));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.message, 'the verify command deleted its own checkout');
    assert.equal((await v.run(request('sh test.sh'))).outcome, 'passed');
  });

  it('confines writes to the checkout under the sandbox: the project and home stay untouched', async () => {
    const outside = join(repo.root, 'escaped.txt');
    const v = verifier();
    // this repository lives under /tmp, which is the sandbox's own: the write lands there, not here
    await v.run(request(`echo x > ${outside}`));
    assert.ok(!existsSync(outside), 'the project outside the checkout is untouched');
    const home = join(process.env.HOME ?? '/root', `.ve-verify-escape-${process.pid}`);
    const r = await v.run(request(`echo x > ${home}`));
    assert.equal(r.outcome, 'failed', 'a write to the read-only file system fails');
    assert.match(r.tail, /Read-only file system/);
    assert.ok(!existsSync(home));
    const inside = await v.run(
      request('echo y > inside.txt && echo z > /tmp/scratch && test -s /tmp/scratch'),
    );
    assert.equal(inside.outcome, 'passed', 'the checkout and a private /tmp are writable');
    assert.ok(existsSync(join(repo.root, '.ve', 'verify', 'slot-0', 'inside.txt')));
    assert.ok(!existsSync('/tmp/scratch'), 'its /tmp is its own');
  });

  it('prepares the checkout’s dependencies before each run, and fails the run when that fails', async () => {
    const prepared: string[] = [];
    let failing = false;
    const v = new ProcessVerifier({
      checkouts: new GitVerifyCheckouts(repo.root, join(repo.root, '.ve', 'verify')),
      log: silentLogger,
      env: () => process.env,
      writable: [],
      prepare: async (checkout) => {
        prepared.push(checkout);
        if (failing) throw new Error('setup command "npm ci" exited 1:\nnpm ERR! missing lockfile');
      },
    });
    assert.equal((await v.run(request('test -f a.txt'))).outcome, 'passed');
    assert.deepEqual(prepared, [join(repo.root, '.ve', 'verify', 'slot-0')]);
    failing = true;
    const broken = await v.run(request('true'));
    assert.equal(broken.outcome, 'failed');
    assert.match(
      broken.message ?? '',
      /dependency setup failed in the verify checkout: setup command "npm ci" exited 1/,
    );
    assert.match(broken.tail, /npm ERR! missing lockfile/);
  });

  it('leaves no orphan when the daemon dies mid-run: the sandbox dies with it, and a recorded group is killed on restart', async () => {
    for (const sandboxed of [true, false]) {
      const script = `
        import { ProcessVerifier } from ${JSON.stringify(new URL('./process-verifier.js', import.meta.url).href)};
        import { GitVerifyCheckouts } from ${JSON.stringify(new URL('../git/verify-checkouts.js', import.meta.url).href)};
        const v = new ProcessVerifier({ checkouts: new GitVerifyCheckouts(${JSON.stringify(repo.root)}, ${JSON.stringify(join(repo.root, '.ve', 'verify'))}),
          log: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } }, env: () => process.env, writable: [],
          ${sandboxed ? '' : "sandboxUnavailable: async () => 'off',"} });
        await v.run({ slot: ${sandboxed ? 1 : 2}, commit: ${JSON.stringify(head)}, command: 'sleep 303 & sleep 304', timeoutMs: 600000, sandbox: 'auto',
          logFile: ${JSON.stringify(join(repo.root, 'orphan.log'))}, onOutput() {},
          onStarted(pid, start) { console.log(JSON.stringify({ pid, start })); }, signal: new AbortController().signal,
          marker: 'orphan-${sandboxed}' });`;
      const daemon = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = await new Promise<string>((resolve) =>
        daemon.stdout.once('data', (d: Buffer) => resolve(d.toString())),
      );
      const { pid, start } = JSON.parse(line) as { pid: number; start: string };
      // the daemon dies while its verification runs (the sleepers exist)
      while (!(await sleepers())) await sleep(20);
      daemon.kill('SIGKILL');
      await new Promise((r) => daemon.on('close', r));
      if (!sandboxed) {
        const v = verifier();
        assert.ok(
          v.killOrphan({ marker: 'orphan-false', pid, startTime: start }) > 0,
          'the restart kills them',
        );
      }
      let left = true;
      for (let i = 0; i < 100 && left; i++) {
        left = await sleepers();
        if (left) await sleep(20);
      }
      assert.equal(
        left,
        false,
        `no verify process outlived the daemon (${sandboxed ? 'sandboxed' : 'unsandboxed'})`,
      );
      assert.equal(killRecordedGroup(pid, start), false, 'a dead group is not killed twice');
    }
  });
});
