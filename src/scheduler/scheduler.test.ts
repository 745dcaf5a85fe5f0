import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';
import { FakePhaseRunner } from '../../test/fakes/fake-phase-runner.js';
import type { OrchestratorConfig } from '../config/schema.js';
import type { ConflictAnalysis } from '../domain/conflict.js';
import { silentLogger } from '../infra/json-logger.js';
import type { ConflictOracle, GateResult } from '../ports/oracle.js';
import { Scheduler } from './scheduler.js';

function setup(
  opts: {
    maxAgents?: number;
    oracle?: ConflictOracle;
    holdAgents?: (config: OrchestratorConfig) => Promise<string | null>;
  } = {},
) {
  const h = makeStoreHarness();
  const runner = new FakePhaseRunner(h.store);
  const scheduler = new Scheduler({
    store: h.store,
    runner,
    oracle: opts.oracle ?? null,
    clock: h.clock,
    bus: h.bus,
    log: silentLogger,
    ...(opts.holdAgents ? { holdAgents: opts.holdAgents } : {}),
  });
  return {
    ...h,
    runner,
    scheduler,
    /** the scheduler has reacted to every change so far: what did not start by now will not */
    settle: () => scheduler.settled(),
    init: async () => h.store.patchConfig({ max_agents: opts.maxAgents ?? 2 }),
  };
}

describe('scheduler', () => {
  it('raises a unit whose phase ended without recording its outcome, instead of leaving it RUNNING', async () => {
    const t = setup({ maxAgents: 1 });
    await t.init();
    await t.scheduler.start();
    await t.store.create(aWorkUnit({ chunk: 'lost', phase: 'IMPLEMENT' }), { source: 'api' });
    await t.settle();
    assert.deepEqual(t.runner.started, ['lost']);
    t.runner.vanish('lost');
    for (;;) {
      const u = await t.store.get('lost');
      if (u?.status !== 'RUNNING') {
        assert.equal(u?.status, 'NEEDS_ATTENTION');
        assert.equal(u?.attention_kind, 'ERROR');
        assert.match(u?.attention_reason ?? '', /without recording its outcome/);
        break;
      }
      await t.settle();
    }
    await t.scheduler.stop();
  });

  it('fills the free slots in ready-queue order and no more', async () => {
    const t = setup({ maxAgents: 2 });
    await t.init();
    for (const [chunk, priority] of [
      ['a', 0],
      ['b', 5],
      ['c', 1],
    ] as const)
      await t.store.create(aWorkUnit({ chunk, priority }), { source: 'api' });
    const started = await t.scheduler.pass();
    assert.deepEqual(started, ['b', 'c']);
    assert.deepEqual((await t.store.list({ status: 'RUNNING' })).map((u) => u.chunk).sort(), ['b', 'c']);
  });

  it('dispatches on the event, not on a tick: a finished phase frees a slot for the next unit', async () => {
    const t = setup({ maxAgents: 1 });
    await t.init();
    await t.scheduler.start();
    await t.store.create(aWorkUnit({ chunk: 'a', phase: 'PLAN' }), { source: 'api' });
    await t.store.create(aWorkUnit({ chunk: 'b', phase: 'PLAN', created_at: '2026-01-02T00:00:00.000Z' }), {
      source: 'api',
    });
    await t.settle();
    assert.deepEqual(t.runner.started, ['a']);
    await t.runner.finish('a', { type: 'finish' });
    await t.settle();
    assert.deepEqual(t.runner.started, ['a', 'b']);
    await t.runner.finish('b', { type: 'finish' });
    await t.scheduler.stop();
  });

  it('starts no phase while agents are held, and starts them once a config change ends the hold', async () => {
    // as the Claude backend decides: auto without a runnable OS sandbox holds, off does not
    const t = setup({
      maxAgents: 2,
      holdAgents: async (config) => (config.agent_sandbox === 'off' ? null : 'no OS sandbox here'),
    });
    await t.init();
    await t.scheduler.start();
    for (const chunk of ['a', 'b']) await t.store.create(aWorkUnit({ chunk }), { source: 'api' });
    await t.settle();
    assert.deepEqual(t.runner.started, []);
    assert.deepEqual((await t.store.list({ status: 'READY' })).map((u) => u.chunk).sort(), ['a', 'b']);
    await t.store.patchConfig({ agent_sandbox: 'off' });
    await t.settle();
    assert.deepEqual(t.runner.started.sort(), ['a', 'b']);
    await t.scheduler.stop();
  });

  it('applies a max_agents change to the running scheduler at once', async () => {
    const t = setup({ maxAgents: 1 });
    await t.init();
    await t.scheduler.start();
    for (const chunk of ['a', 'b', 'c']) await t.store.create(aWorkUnit({ chunk }), { source: 'api' });
    await t.settle();
    assert.equal(t.runner.running().length, 1);
    await t.store.patchConfig({ max_agents: 3 });
    await t.settle();
    assert.equal(t.runner.running().length, 3);
    await t.scheduler.stop();
  });

  it('unblocks dependents when a blocker reaches DONE by any route', async () => {
    const t = setup();
    await t.init();
    await t.scheduler.start();
    await t.store.create(aWorkUnit({ chunk: 'a', status: 'NEEDS_ATTENTION' }), { source: 'api' });
    await t.store.create(aWorkUnit({ chunk: 'b', status: 'BLOCKED', blocked_by: ['a'] }), { source: 'api' });
    // `ghost` has no unit: it is not done, so c keeps waiting on it
    await t.store.create(aWorkUnit({ chunk: 'c', status: 'BLOCKED', blocked_by: ['a', 'ghost'] }), {
      source: 'api',
    });
    await t.store.transition('a', { type: 'force', status: 'DONE' }, { source: 'operator-force' });
    await t.settle();
    const b = await t.store.get('b');
    assert.deepEqual([b?.status, b?.blocked_by], ['RUNNING', []]);
    const c = await t.store.get('c');
    assert.deepEqual([c?.status, c?.blocked_by], ['BLOCKED', ['ghost']]);
    await t.scheduler.stop();
  });

  it('never starts two units the oracle keeps apart, and a held unit does not block the queue behind it', async () => {
    const serialize = (a: string, b: string) => new Set(['x', 'y']).has(a) && new Set(['x', 'y']).has(b);
    const oracle: ConflictOracle = {
      gate: async (unit, busy): Promise<GateResult> => {
        const other = busy.find((b) => serialize(unit.chunk, b.chunk));
        return other ? { kind: 'wait', behind: [other.chunk], reason: 'same symbol' } : { kind: 'allow' };
      },
      analyze: async () => ({}) as ConflictAnalysis,
    };
    const t = setup({ maxAgents: 3, oracle });
    await t.init();
    await t.store.create(aWorkUnit({ chunk: 'x', phase: 'IMPLEMENT', priority: 3 }), { source: 'api' });
    await t.store.create(aWorkUnit({ chunk: 'y', phase: 'IMPLEMENT', priority: 2 }), { source: 'api' });
    await t.store.create(aWorkUnit({ chunk: 'z', phase: 'IMPLEMENT', priority: 1 }), { source: 'api' });
    const started = await t.scheduler.pass();
    assert.deepEqual(started, ['x', 'z'], 'y waits behind x (same pass), z still starts');
    assert.equal((await t.store.get('y'))?.status, 'READY');
  });

  it('raises one CONFLICT item when the oracle asks the operator', async () => {
    const oracle: ConflictOracle = {
      gate: async (unit, busy): Promise<GateResult> =>
        busy.length > 0 && unit.chunk === 'q'
          ? {
              kind: 'ask',
              other: busy[0]?.chunk as string,
              analysis: {
                reason: 'both edit src/api.ts',
                overlapping_files: ['src/api.ts'],
              } as ConflictAnalysis,
            }
          : { kind: 'allow' },
      analyze: async () => ({}) as ConflictAnalysis,
    };
    const t = setup({ maxAgents: 2, oracle });
    await t.init();
    await t.store.create(aWorkUnit({ chunk: 'p', phase: 'IMPLEMENT', priority: 2 }), { source: 'api' });
    await t.store.create(aWorkUnit({ chunk: 'q', phase: 'IMPLEMENT' }), { source: 'api' });
    await t.scheduler.pass();
    const q = await t.store.get('q');
    assert.equal(q?.status, 'NEEDS_ATTENTION');
    assert.equal(q?.attention_kind, 'CONFLICT');
    assert.deepEqual(q?.blocked_by, ['p']);
    assert.match(q?.attention_reason ?? '', /src\/api\.ts/);
  });

  it('waits for a retry due time and dispatches when the clock reaches it', async () => {
    const t = setup();
    await t.init();
    const due = new Date(t.clock.now() + 60_000).toISOString();
    await t.store.create(aWorkUnit({ chunk: 'a', next_retry_at: due }), { source: 'api' });
    assert.deepEqual(await t.scheduler.pass(), []);
    t.clock.advance(60_000);
    await t.settle();
    assert.deepEqual(t.runner.started, ['a']);
  });

  it('recovers RUNNING units to READY on start, keeping their session', async () => {
    const t = setup({ maxAgents: 1 });
    await t.init();
    await t.store.create(aWorkUnit({ chunk: 'a', status: 'RUNNING', session_id: 's1' }), { source: 'api' });
    const sched = t.scheduler; // not started yet: start() runs recovery
    await sched.start();
    const history = await t.store.history('a');
    assert.ok(history.some((h) => h.source === 'recovery' && h.new_status === 'READY'));
    await t.settle();
    assert.equal((await t.store.get('a'))?.session_id, 's1');
    await sched.stop();
  });

  it('closes the phase runs a killed daemon left open, as interrupted', async () => {
    const t = setup({ maxAgents: 1 });
    await t.init();
    await t.store.create(aWorkUnit({ chunk: 'a', status: 'NEEDS_ATTENTION', phase: 'PLAN' }), {
      source: 'api',
    });
    const open = await t.store.startPhaseRun('a', 'PLAN', 's1');
    const sched = t.scheduler; // not started yet: start() runs recovery
    await sched.start();
    const [run] = await t.store.phaseRuns('a');
    assert.equal(run?.id, open);
    assert.notEqual(run?.ended_at, null);
    assert.equal(run?.outcome, 'interrupted');
    assert.equal(run?.session_id, 's1');
    await sched.stop();
  });
});
