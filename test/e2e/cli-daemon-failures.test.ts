/**
 * `ve orch start` when the daemon cannot start: the reason comes from the daemon's own log, and a
 * daemon refused by the project lock is reported as "already running" even without a pid file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../../src/cli/daemon-process.js';
import { runVe } from '../support/cli.js';
import { makeTempRepo } from '../support/temp-repo.js';

describe('ve orch start failures (real daemon)', { timeout: 120_000 }, () => {
  const repos: { cleanup(): void }[] = [];
  after(() => {
    for (const r of repos) r.cleanup();
  });

  it('explains a start-up failure with the last error line of the log', async () => {
    const repo = makeTempRepo();
    repos.push(repo);
    // a directory where the database file should be: the store cannot open it
    mkdirSync(join(repo.root, '.ve', 'orchestrator.db'), { recursive: true });
    const res = await runVe(['orch', 'start'], { cwd: repo.root });
    assert.equal(res.code, 1);
    const m = /^ve: the orchestrator failed to start: (.+) \(see .*orchestrator\.log\)\n$/.exec(res.stderr);
    assert.ok(m, res.stderr);
    const errors = readFileSync(join(repo.root, '.ve', 'orchestrator.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"level":"error"'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.ok(errors.length > 0, 'the daemon logged why');
    assert.ok(m[1]?.startsWith(errors.at(-1) ?? '\0'), `${m[1]} vs ${errors.at(-1)}`);
    assert.match(m[1] ?? '', /orchestrator\.db|database/);
    assert.equal(res.stdout, '');
    assert.equal((await runVe(['orch', 'status'], { cwd: repo.root })).stdout, 'Status: Stopped\n');
  });

  it('finds a daemon whose pid file is gone through its socket, and stops it', async () => {
    const repo = makeTempRepo();
    repos.push(repo);
    const first = await runVe(['orch', 'start', '--json'], { cwd: repo.root });
    assert.equal(first.code, 0, first.stderr);
    const { pid } = JSON.parse(first.stdout) as { pid: number };
    rmSync(join(repo.root, '.ve', 'orchestrator.pid'));
    const second = await runVe(['orch', 'start'], { cwd: repo.root });
    assert.equal(second.code, 1);
    assert.equal(second.stderr, `ve: already running (pid ${pid})\n`);
    assert.equal(isProcessAlive(pid), true, 'the refused start must not disturb the running daemon');
    const stop = await runVe(['orch', 'stop'], { cwd: repo.root });
    assert.equal(stop.stdout, 'Orchestrator stopped\n');
    assert.equal(isProcessAlive(pid), false);
  });

  it('reports the lock holder as already running when neither pid file nor socket is left', async () => {
    const repo = makeTempRepo();
    repos.push(repo);
    const first = await runVe(['orch', 'start', '--json'], { cwd: repo.root });
    assert.equal(first.code, 0, first.stderr);
    const { pid } = JSON.parse(first.stdout) as { pid: number };
    try {
      rmSync(join(repo.root, '.ve', 'orchestrator.pid'));
      rmSync(join(repo.root, '.ve', 'orchestrator.sock'));
      // only the lock tells now: the refused daemon's exit code 3 is what the CLI reports
      const again = await runVe(['orch', 'start'], { cwd: repo.root });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^ve: already running \(another daemon holds .*orchestrator\.lock\)\n$/);
      assert.equal(isProcessAlive(pid), true);
    } finally {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 200 && isProcessAlive(pid); i++) await sleep(50);
    }
    assert.equal(isProcessAlive(pid), false);
  });
});
