/**
 * The landing train with the real store, scheduler-free: units are put in the train directly, git is
 * a FakeLanding (commits are sets of branch tips) and the verify command is a FakeVerifier whose
 * outcome is a function of the tree.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { chunkOf } from '../../test/fakes/fake-landing.js';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';
import type { ChunkName } from '../domain/chunk-name.js';
import { newWorkUnit, type WorkUnit } from '../domain/work-unit.js';
import type { TrainSnapshot } from '../ports/train.js';

type Orchestrator = Awaited<ReturnType<typeof makeOrchestrator>>;
let current: Orchestrator | null = null;
afterEach(async () => {
  await current?.parts.train.stop();
  current = null;
});

async function trainOf(chunks: string[], config: Record<string, unknown> = {}) {
  const o = await makeOrchestrator();
  current = o;
  await o.parts.store.patchConfig({ verify_command: 'npm test', verify_parallelism: 4, ...config });
  const now = new Date(o.clock.now()).toISOString();
  const units = chunks.map((chunk, i) => {
    o.worktrees.tips.set(chunk, `${chunk}@1`);
    return {
      ...newWorkUnit({ chunk: chunk as ChunkName, phase: 'COMPLETE', status: 'VERIFYING', now }),
      train_seq: i + 1,
      finalizing: true,
    } satisfies WorkUnit;
  });
  await o.parts.train.start();
  await o.parts.store.createMany(units, { source: 'runner' });
  const settled = async () => {
    for (;;) {
      await o.parts.train.idle();
      // an idle train with entries left and nothing running has nothing more to do
      const view = await o.parts.train.view();
      if (view.running === 0) return view;
    }
  };
  const landedChunks = () => o.landing.landed.map((c) => o.landing.tipsIn(c).map(chunkOf));
  return { o, settled, landedChunks };
}

const statusOf = async (o: Orchestrator, chunk: string) => (await o.parts.store.get(chunk))?.status;

describe('landing train', () => {
  it('lands ten units in order, sends the failing one back, and no landed tree ever contained it', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `u${i + 1}`);
    const { o, settled, landedChunks } = await trainOf(names);
    o.verifier.outcome = (tips) => (tips.some((t) => chunkOf(t) === 'u5') ? 'failed' : 'passed');
    await o.waitForUnit('u10', (u) => u.status === 'DONE', 'u10 landed');
    await settled();
    const landed = landedChunks();
    assert.equal(landed.length, 9);
    // each landing adds exactly the next unit in train order, u5 never
    assert.deepEqual(
      landed.map((tree) => tree.at(-1)),
      names.filter((n) => n !== 'u5'),
    );
    assert.ok(
      landed.every((tree) => !tree.includes('u5')),
      'no landed tree contains u5',
    );
    const u5 = await o.parts.store.get('u5');
    assert.equal(u5?.status, 'READY');
    assert.equal(u5?.phase, 'IMPLEMENT');
    assert.equal(u5?.verify_retries, 1);
    assert.match(u5?.reentry_context ?? '', /npm test/);
    assert.match(u5?.reentry_context ?? '', /FAIL in/);
    assert.deepEqual(o.landing.sentBack, ['u5']);
    const runs = await o.parts.verifyRuns.verifyRuns({ chunk: 'u5' });
    assert.ok(runs.length >= 2, 'the failure was re-run once on the same tree before the blame');
  });

  it('verifies at most verify_parallelism trees at once, each on the trees ahead of it', async () => {
    const { o, settled } = await trainOf(['a', 'b', 'c', 'd', 'e'], { verify_parallelism: 2 });
    o.verifier.hold = true;
    await o.verifier.started(2);
    await o.parts.train.stepped();
    assert.equal(o.verifier.open().length, 2);
    assert.deepEqual(
      o.verifier.open().map((r) => r.tips.map(chunkOf)),
      [['a'], ['a', 'b']],
    );
    let max = 0;
    for (;;) {
      await o.parts.train.stepped();
      if ((await o.parts.store.list({ status: 'VERIFYING' })).length === 0) break;
      max = Math.max(max, o.verifier.open().length);
      o.verifier.open()[0]?.release('passed');
      await new Promise((r) => setImmediate(r));
    }
    await settled();
    assert.equal(max, 2);
    assert.equal(o.landing.landed.length, 5);
  });

  it('re-runs a failure once on the same tree and lands a flaky pass, recording it', async () => {
    const { o } = await trainOf(['flaky']);
    o.verifier.outcome = (tips, attempt) => (tips.length > 0 && attempt === 1 ? 'failed' : 'passed');
    await o.waitForUnit('flaky', (u) => u.status === 'DONE');
    const runs = await o.parts.verifyRuns.verifyRuns({ chunk: 'flaky' });
    assert.deepEqual(runs.map((r) => [r.outcome, r.flaky]).reverse(), [
      ['failed', true],
      ['passed', false],
    ]);
    assert.equal((await o.parts.store.get('flaky'))?.verify_retries, 0, 'a flaky failure blames nobody');
  });

  it('verifies again on the new tip when the operator commits on base meanwhile', async () => {
    const { o } = await trainOf(['x']);
    o.verifier.hold = true;
    await o.verifier.started(1);
    const first = o.verifier.runs[0];
    const tip = o.landing.commitOnBase('operator');
    o.parts.train.kick();
    first?.release('passed');
    await o.verifier.started(2);
    const second = o.verifier.runs[1];
    assert.deepEqual(second?.tips.sort(), ['operator', 'x@1']);
    second?.release('passed');
    await o.waitForUnit('x', (u) => u.status === 'DONE');
    const landed = o.landing.landed[0] as string;
    assert.ok(o.landing.tipsIn(landed).includes('operator'), `landed on the operator's commit ${tip}`);
    assert.equal(landed, second?.commit, 'the commit that landed is the one that was verified');
  });

  it('asks the operator with a VERIFY item once the retries are used up', async () => {
    const { o } = await trainOf(['bad'], { verify_max_retries: 0 });
    o.verifier.outcome = (tips) => (tips.length > 0 ? 'failed' : 'passed');
    const unit = await o.waitForUnit('bad', (u) => u.status === 'NEEDS_ATTENTION');
    assert.equal(unit.attention_kind, 'VERIFY');
    assert.match(unit.attention_reason ?? '', /Verification failed .*npm test.*Last output:\nFAIL in bad@1/s);
    assert.deepEqual(o.landing.sentBack, []);
    assert.equal(o.landing.landed.length, 0);
  });

  it('blames nobody when base itself fails: the operator is told, no agent is sent back', async () => {
    const { o } = await trainOf(['innocent']);
    o.verifier.outcome = () => 'failed';
    const unit = await o.waitForUnit('innocent', (u) => u.status === 'NEEDS_ATTENTION');
    assert.equal(unit.attention_kind, 'VERIFY');
    assert.match(unit.attention_reason ?? '', /main itself fails/);
    assert.equal(unit.verify_retries, 0);
    assert.deepEqual(o.landing.sentBack, []);
  });

  it('sends a head that conflicts with base back to REBASE', async () => {
    const { o } = await trainOf(['late']);
    o.verifier.hold = true;
    o.landing.commitOnBase('clash');
    o.landing.conflicts = (a, b) => [a, b].sort().join() === 'clash,late';
    o.parts.train.kick();
    const unit = await o.waitForUnit('late', (u) => u.status === 'READY');
    assert.equal(unit.phase, 'REBASE');
    assert.match(unit.reentry_context ?? '', /conflicts in: late\.txt/);
  });

  it('turns a refused landing into a MERGE item that keeps the unit finalizing', async () => {
    const { o } = await trainOf(['mine']);
    o.landing.landScript.push({ kind: 'refused', message: 'your local changes would be overwritten' });
    const unit = await o.waitForUnit('mine', (u) => u.status === 'NEEDS_ATTENTION');
    assert.equal(unit.attention_kind, 'MERGE');
    assert.equal(unit.finalizing, true);
  });

  it('lands an operator override without running the verify command', async () => {
    const { o } = await trainOf([]);
    o.worktrees.tips.set('forced', 'forced@1');
    const now = new Date(o.clock.now()).toISOString();
    await o.parts.store.create(
      {
        ...newWorkUnit({ chunk: 'forced' as ChunkName, phase: 'COMPLETE', status: 'VERIFYING', now }),
        train_seq: 1,
        finalizing: true,
        land_unverified: true,
      },
      { source: 'api' },
    );
    const done = await o.waitForUnit('forced', (u) => u.status === 'DONE');
    assert.equal(o.verifier.runs.length, 0);
    const history = await o.parts.store.history('forced');
    assert.match(history.at(-1)?.reason ?? '', /WITHOUT verification/);
    assert.equal(done.land_unverified, true);
  });

  it('shows the train: position, what each entry is verified on, and its state', async () => {
    const { o } = await trainOf(['p1', 'p2', 'p3'], { verify_parallelism: 1 });
    o.verifier.hold = true;
    await o.verifier.started(1);
    await o.parts.train.stepped();
    const view: TrainSnapshot = await o.parts.train.view();
    assert.equal(view.verify.command, 'npm test');
    assert.equal(view.verify.source, 'config');
    assert.deepEqual(
      view.entries.map((e) => [e.position, e.chunk, e.state, e.ahead]),
      [
        [1, 'p1', 'verifying', []],
        [2, 'p2', 'waiting', ['p1']],
        [3, 'p3', 'waiting', ['p1', 'p2']],
      ],
    );
    assert.equal(await statusOf(o, 'p1'), 'VERIFYING');
  });
});
