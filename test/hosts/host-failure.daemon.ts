/**
 * Runs as the daemon user (through hosts.e2e.test.ts, which kills and restarts the host's sshd when
 * this file asks through files in the daemon's home): a phase whose host drops mid-tool ends at once
 * as a connection failure, and when the host is back the unit resumes there — with what the cut
 * session left running stopped first, so two runs of the unit never overlap.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { replySequence } from '../../src/demo/scripted-model-server.js';
import { claudeOnHostFixture, type Run } from '../support/claude-on-host.js';

const fx = await claudeOnHostFixture('host-failure');
after(() => fx.close());

const signals = join(fx.pool.daemonHome, 'signals');
mkdirSync(signals, { recursive: true });
const tell = (name: string) => writeFileSync(join(signals, name), '');
async function awaitSignal(name: string): Promise<void> {
  for (let i = 0; !existsSync(join(signals, name)); i++) {
    assert.ok(i < 600, `the root side never signalled ${name}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a host that drops mid-phase', () => {
  let sessionId = '';

  it('ends the phase at once as a lost connection, not as a hang', async () => {
    // a first turn, to have a session to resume
    const first = await fx.runOnHost(() => ({ text: 'Ready.' }), { prompt: 'Get ready.' });
    assert.equal(first.result?.subtype, 'success', first.stderr);
    sessionId = first.result!.session_id;

    let ended: Run | null = null;
    const running = fx
      .runOnHost(replySequence([{ toolUses: [{ name: 'Bash', input: { command: 'tail -f /dev/null' } }] }]), {
        prompt: 'Wait.',
        resume: sessionId,
      })
      .then((r) => {
        ended = r;
        return r;
      });
    await fx.untilHostRuns('tail', () => ended);
    const t0 = performance.now();
    tell('phase-running'); // the root side kills the host's sshd now
    const run = await running;
    console.log(
      `measure: sshd killed mid-tool to the SDK's phase end ${(performance.now() - t0).toFixed(0)} ms`,
    );
    tell('phase-ended');
    assert.equal(run.result, null);
    assert.match(String(run.thrown), /exited with code 255|terminated|ended/i);
    assert.match(run.stderr, /unreachable/);
    assert.equal(await fx.transport.connected(fx.h1), false);
  });

  it('resumes on the same host when it is back, after stopping what the cut session left', async () => {
    await awaitSignal('sshd-back');
    // same placement: the worktree is found, not remade
    const wt = await fx.workspace.ensureWorktree('alpha', {
      baseBranch: 'main',
      lease: fx.lease,
      startPoint: 'main',
    });
    assert.equal(wt.created, false);
    // the cut session's tool still runs: no signal reaches a process whose ssh session died
    assert.ok((await fx.hostProcesses()).includes('tail'), 'the cut session left its tool running');
    const run = await fx.runOnHost(() => ({ text: 'Back.' }), { prompt: 'Go on.', resume: sessionId });
    assert.equal(run.result?.subtype, 'success', `${String(run.thrown)}\n${run.stderr}`);
    assert.equal(run.result?.session_id, sessionId);
    assert.deepEqual(await fx.hostProcesses(), [], 'nothing of either run is left');
  });
});
