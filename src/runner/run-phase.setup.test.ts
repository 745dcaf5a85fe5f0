/**
 * Issue 11 §4 in the runner: the worktree's setup starts with the first phase and runs while PLAN
 * does, IMPLEMENT waits for it, a failure is a SETUP item with its output, a finished setup does not
 * run again. The real dependency adapter runs real shell commands; the agent and git are fakes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';

type Orchestrator = Awaited<ReturnType<typeof makeOrchestrator>>;

/** Resolves once `file` exists (watching its folder: no polling in the test). */
function fileAppears(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      if (!existsSync(file)) return;
      w.close();
      clearTimeout(guard);
      resolve();
    };
    const w = watch(join(file, '..'), done);
    // a guard against hanging forever, not a timing assertion
    const guard = setTimeout(() => {
      w.close();
      reject(new Error(`${file} did not appear`));
    }, 10_000);
    done();
  });
}

/**
 * An orchestrator whose setups run unconfined: these tests are about when the runner runs them, and
 * their marker files live outside the worktree (the confinement is git/worktree-deps.test.ts's).
 */
async function orchestrator(): Promise<Orchestrator> {
  const o = await makeOrchestrator({ chunks: { feat: {} } });
  await o.parts.store.patchConfig({ agent_sandbox: 'off' });
  return o;
}

/** Resolves when the runner starts waiting for the unit's setup (a spy on the real adapter). */
function readyCalled(t: TestContext, o: Orchestrator): Promise<void> {
  const deps = o.parts.dependencies;
  const original = deps.ready.bind(deps);
  return new Promise((resolve) => {
    t.mock.method(deps, 'ready', (...args: Parameters<typeof deps.ready>) => {
      resolve();
      return original(...args);
    });
  });
}

const approve = { review: { decision: 'APPROVE' as const, summary: 'ok', issues: [] } };

describe('runner: the dependency setup', () => {
  it('runs the setup while PLAN runs and starts IMPLEMENT only once it is done', async (t) => {
    const o = await orchestrator();
    const [started, gate, done] = ['started', 'gate', 'done'].map((f) => join(o.root, f)) as [
      string,
      string,
      string,
    ];
    await o.parts.store.patchConfig({
      setup_command: `echo > ${started}; until [ -e ${gate} ]; do sleep 0.02; done; echo > ${done}`,
    });
    let finishPlan = () => {};
    o.backend.script('feat', 'PLAN', [
      { wait: new Promise<void>((r) => (finishPlan = r)) },
      { complete: {} },
    ]);
    o.backend.script('feat', 'REVIEW', [approve]);
    await o.start();
    const waiting = readyCalled(t, o);
    const planRunning = o.backend.whenStarted('feat', 'PLAN');
    await o.services.inject({ chunks: ['feat'], phase: 'PLAN' });
    await planRunning;
    await fileAppears(started);
    assert.equal(existsSync(done), false, 'the setup runs while PLAN runs');
    const implementStarted = o.backend.whenStarted('feat', 'IMPLEMENT');
    finishPlan();
    await waiting;
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 0, 'IMPLEMENT waits for the setup');
    writeFileSync(gate, '');
    await implementStarted;
    assert.equal(existsSync(done), true, 'the setup had finished when IMPLEMENT started');
    const unit = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.equal(unit.attention_kind, null);
    await o.stop();
  });

  it('turns a failed setup into a SETUP item with its output, and a retry runs it again', async () => {
    const o = await orchestrator();
    await o.parts.store.patchConfig({ setup_command: 'echo "npm ERR! 404 left-pad@9.9.9" >&2; exit 1' });
    o.backend.script('feat', 'REVIEW', [approve]);
    await o.start();
    await o.services.inject({ chunks: ['feat'], phase: 'PLAN' });
    const stuck = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'SETUP item');
    assert.equal(stuck.attention_kind, 'SETUP');
    assert.equal(stuck.phase, 'IMPLEMENT', 'PLAN ran meanwhile; the failure stopped IMPLEMENT');
    assert.match(
      stuck.attention_reason ?? '',
      /^Setup failed: setup command .* exited 1:\nnpm ERR! 404 left-pad@9\.9\.9/,
    );
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 0);
    await o.parts.store.patchConfig({ setup_command: 'true' });
    await o.services.retry('feat');
    const unit = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE after the retry');
    assert.equal(unit.attention_kind, null);
    await o.stop();
  });

  it('does not run a finished setup again for a phase dispatched again or for the next phases', async () => {
    const o = await orchestrator();
    const count = join(o.root, 'count');
    await o.parts.store.patchConfig({ setup_command: `echo run >> ${count}`, api_retry_initial_ms: 1 });
    o.backend.script('feat', 'IMPLEMENT', [
      { fail: { code: 'overloaded', message: '529', retryable: true } },
    ]);
    o.backend.script('feat', 'REVIEW', [approve]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    await o.waitForUnit('feat', (u) => u.api_retry_count === 1 && u.status === 'READY', 'backoff');
    o.clock.advance(120_000);
    await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 2);
    assert.equal(readFileSync(count, 'utf8'), 'run\n', 'one setup for IMPLEMENT twice, REVIEW and COMPLETE');
    await o.stop();
  });

  it('puts a unit stopped while it waits for its setup back to READY without running the agent', async (t) => {
    const o = await orchestrator();
    const gate = join(o.root, 'gate');
    await o.parts.store.patchConfig({ setup_command: `until [ -e ${gate} ]; do sleep 0.02; done` });
    await o.start();
    const waiting = readyCalled(t, o);
    await o.services.inject({ chunks: ['feat'] });
    await waiting;
    await o.stop();
    const unit = await o.parts.store.get('feat');
    assert.deepEqual([unit?.status, unit?.phase, unit?.attention_kind], ['READY', 'IMPLEMENT', null]);
    assert.deepEqual(o.backend.runs, []);
    await o.parts.dependencies.stop();
  });
});
