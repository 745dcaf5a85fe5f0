/**
 * `ve orch start` when the daemon cannot start: the reason comes from the daemon's own log, and a
 * daemon refused by the project lock is reported as "already running" even without a pid file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
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
    assert.match(
      res.stderr,
      /^ve: the orchestrator failed to start: unable to open database file \(see .*orchestrator\.log\)\n$/,
    );
    assert.equal(res.stdout, '');
    assert.equal((await runVe(['orch', 'status'], { cwd: repo.root })).stdout, 'Status: Stopped\n');
  });

  it('reports a daemon as already running even when its pid file and socket are gone', async () => {
    const repo = makeTempRepo();
    repos.push(repo);
    const first = await runVe(['orch', 'start', '--json'], { cwd: repo.root });
    assert.equal(first.code, 0, first.stderr);
    const { pid } = JSON.parse(first.stdout) as { pid: number; url: string };
    try {
      rmSync(join(repo.root, '.ve', 'orchestrator.pid'));
      const second = await runVe(['orch', 'start'], { cwd: repo.root });
      assert.equal(second.code, 1);
      assert.equal(second.stderr, `ve: already running (pid ${pid})\n`);
      // with the socket gone too, only the lock tells: the refused daemon's exit code 3 is reported
      rmSync(join(repo.root, '.ve', 'orchestrator.sock'));
      const third = await runVe(['orch', 'start'], { cwd: repo.root });
      assert.equal(third.code, 1);
      assert.match(third.stderr, /^ve: already running \(another daemon holds .*orchestrator\.lock\)\n$/);
      assert.equal(isProcessAlive(pid), true, 'the refused start must not disturb the running daemon');
    } finally {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 200 && isProcessAlive(pid); i++) await sleep(50);
    }
    assert.equal(isProcessAlive(pid), false);
  });
});
