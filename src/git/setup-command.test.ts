/** runShellCommand: success, failure with output tail, timeout that kills the whole process group. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isProcessAlive } from '../cli/daemon-process.js';
import { isOrchError } from '../domain/errors.js';
import { runShellCommand } from './setup-command.js';

/** Resolves once `pid` no longer runs (a zombie counts as gone), checking /proc; fails after 5 s. */
async function processGone(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (!isProcessAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`process ${pid} survived the kill`);
}

describe('runShellCommand', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 've-setup-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs through /bin/sh in the given directory', async () => {
    await runShellCommand('echo "$((1 + 2))" > out.txt', dir);
    assert.equal(existsSync(join(dir, 'out.txt')), true);
  });

  it('keeps only the tail of a long failing output', async () => {
    const cmd =
      'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); done; echo last-words >&2; exit 7';
    await assert.rejects(runShellCommand(cmd, dir), (e: unknown) => {
      assert.ok(isOrchError(e, 'git_failed'));
      assert.match(e.message, /exited 7/);
      assert.match(e.message, /line 2999\n/);
      assert.match(e.message, /last-words/);
      assert.doesNotMatch(e.message, /line 10\n/);
      assert.equal(e.details?.exitCode, 7);
      return true;
    });
  });

  it('kills the command and its children on timeout', async () => {
    // the background child would create the marker after the timeout if it survived the kill
    const cmd = '(sleep 1; touch survived.txt) & echo $! > child.pid; sleep 30';
    await assert.rejects(runShellCommand(cmd, dir, { timeoutMs: 200 }), (e: unknown) => {
      assert.ok(isOrchError(e, 'git_failed'));
      assert.match(e.message, /timed out/);
      return true;
    });
    // the marker can only come from that child: once it is gone, it never will
    const child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    await processGone(child);
    assert.equal(existsSync(join(dir, 'survived.txt')), false);
  });
});
