/**
 * Budgets through the scheduler and the runner (issue 11 §7): the cap each phase gets, the BUDGET item
 * at a unit's limit, the project's window holding every unit, and a raised limit resuming work.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FakeStep } from '../../test/fakes/fake-agent-backend.js';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';
import { CONTINUE_AFTER_PROJECT_BUDGET } from './budget-decisions.js';

const HOUR = 3_600_000;
const approve: FakeStep = { review: { decision: 'APPROVE', summary: 'ok', issues: [] } };
const costs = (cost_usd: number): FakeStep => ({ complete: { usage: { cost_usd } } });
const stoppedAtCap = (cost_usd: number): FakeStep => ({
  fail: { code: 'budget', message: 'Reached maximum budget' },
  usage: { cost_usd },
});

/** settles the scheduler: what has not started by then will not start without a new change */
async function quiet(o: Awaited<ReturnType<typeof makeOrchestrator>>): Promise<void> {
  await o.parts.scheduler.settled();
  await o.parts.scheduler.idle();
}

describe('budgets', () => {
  it('caps each phase at the unit’s remaining budget, parks the unit at its limit, and resumes it when raised', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.parts.store.patchConfig({ unit_budget_usd: 1, max_budget_usd: 5 });
    o.backend.script('feat', 'IMPLEMENT', [costs(0.625)]);
    o.backend.script('feat', 'REVIEW', [stoppedAtCap(0.5)]);
    o.backend.script('feat', 'REVIEW', [approve, costs(0.25)]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });

    const parked = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'BUDGET item');
    const [implement, review] = o.backend.runs;
    assert.equal(implement?.request.maxBudgetUsd, 1, 'the unit’s whole budget, under the phase cap');
    assert.equal(review?.request.maxBudgetUsd, 0.375, 'what the unit has left');
    assert.equal(parked.attention_kind, 'BUDGET');
    assert.equal(parked.session_id, review?.session_id, 'the session is kept');
    assert.equal(parked.cost_usd, 1.125);
    assert.equal(
      parked.attention_reason,
      'Unit budget reached: $1.13 of $1.00 (unit_budget_usd), over all its phases and retries. No new phase starts; raising the limit resumes it on the same session: ve orch config --unit-budget-usd 2.25',
    );
    const [item] = await o.services.attention();
    assert.equal(item?.kind, 'BUDGET');
    await quiet(o);
    assert.equal(o.backend.runs.length, 2, 'no new phase starts');
    await assert.rejects(o.services.retry('feat'), /still over its budget: \$1\.13 of \$1\.00/);

    const resumed = o.backend.whenStarted('feat', 'REVIEW');
    await o.services.patchConfig({ unit_budget_usd: 3 });
    const run = await resumed;
    assert.equal(run.request.resumeSessionId, review?.session_id, 'resumed on its session');
    assert.match(
      run.request.systemNote ?? '',
      /unit_budget_usd\) was raised to 3\. Continue where you left off/,
    );
    assert.equal(run.request.operatorAnswer, null);
    assert.equal(run.request.maxBudgetUsd, 1.875);
    const done = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.equal(done.cost_usd, 1.375);
    const history = await o.parts.store.history('feat');
    assert.ok(
      history.some(
        (h) =>
          h.event === 'lift' &&
          h.source === 'scheduler' &&
          h.reason === 'unit_budget_usd raised to 3: resumed on its session',
      ),
      JSON.stringify(history),
    );
    await o.stop();
  });

  it('raises a BUDGET item before dispatch when a finished phase took the unit over its token limit', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.parts.store.patchConfig({ unit_budget_tokens: 1000 });
    o.backend.script('feat', 'IMPLEMENT', [{ complete: { usage: { tokens_in: 900, tokens_out: 150 } } }]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    const parked = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'BUDGET item');
    assert.equal(parked.phase, 'REVIEW');
    assert.match(parked.attention_reason ?? '', /^Unit token budget reached: 1,050 of 1,000 tokens/);
    await quiet(o);
    assert.deepEqual(o.backend.runsOf('feat', 'REVIEW'), [], 'REVIEW never started');
    // an unrelated change lifts nothing; a raise does
    await o.services.patchConfig({ max_agents: 3 });
    await quiet(o);
    assert.equal((await o.parts.store.get('feat'))?.status, 'NEEDS_ATTENTION');
    o.backend.script('feat', 'REVIEW', [approve]);
    await o.services.patchConfig({ unit_budget_tokens: null });
    await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    await o.stop();
  });

  it('a phase stopped at its own cap: retry continues the session, and a raised cap lifts it', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.parts.store.patchConfig({ max_budget_usd: 0.5 });
    o.backend.script('feat', 'IMPLEMENT', [stoppedAtCap(0.5)]);
    o.backend.script('feat', 'IMPLEMENT', [stoppedAtCap(0.5)]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    const first = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'BUDGET item');
    assert.equal(first.attention_kind, 'BUDGET');
    assert.match(
      first.attention_reason ?? '',
      /^IMPLEMENT used its per-phase budget of \$0\.50 \(max_budget_usd\)/,
    );
    assert.equal(o.backend.runs[0]?.request.maxBudgetUsd, 0.5);

    await o.services.retry('feat');
    const second = await o.waitForUnit(
      'feat',
      (u) => u.status === 'NEEDS_ATTENTION' && u.version > first.version,
      'BUDGET again',
    );
    const [one, two] = o.backend.runsOf('feat', 'IMPLEMENT');
    assert.equal(two?.request.resumeSessionId, one?.session_id, 'the retry continued the session');
    assert.match(two?.request.systemNote ?? '', /fresh spending budget/);

    await o.services.patchConfig({ max_budget_usd: 0.5, unit_budget_usd: 100 });
    await quiet(o);
    assert.equal((await o.parts.store.get('feat'))?.version, second.version, 'the same cap lifts nothing');
    const third = o.backend.whenStarted('feat', 'IMPLEMENT');
    await o.services.patchConfig({ max_budget_usd: 2 });
    assert.equal((await third).request.maxBudgetUsd, 2);
    await o.waitForUnit('feat', (u) => u.phase === 'REVIEW', 'past IMPLEMENT');
    await o.stop();
  });

  it('holds every unit READY while the project’s window is spent, says so once, and goes on when spend ages out', async () => {
    const o = await makeOrchestrator({ chunks: { a: {}, b: {}, c: {} }, maxAgents: 1 });
    o.backend.setDefault([approve]);
    await o.parts.store.patchConfig({ project_budget_usd: 1, project_budget_window_hours: 24 });
    let release = () => {};
    o.backend.script('a', 'IMPLEMENT', [costs(0.75)]);
    o.backend.script('a', 'REVIEW', [{ wait: new Promise<void>((r) => (release = r)) }, stoppedAtCap(0.25)]);
    await o.start();
    const t0 = o.clock.now();
    await o.services.inject({ chunks: ['a', 'b', 'c'] });
    const review = await o.backend.whenStarted('a', 'REVIEW');
    o.clock.advance(10 * 60_000); // REVIEW ends ten minutes after IMPLEMENT
    release();
    const held = await o.waitForUnit(
      'a',
      (u) => u.phase === 'REVIEW' && u.status === 'READY' && u.cost_usd === 1,
      'a held after its cap',
    );
    assert.equal(o.backend.runs[0]?.request.maxBudgetUsd, 1);
    assert.equal(review.request.maxBudgetUsd, 0.25);
    assert.equal(held.session_id, review.session_id);
    assert.equal(held.pending_nudge, CONTINUE_AFTER_PROJECT_BUDGET);
    await quiet(o);
    assert.equal(o.backend.runs.length, 2, 'no new phase starts');
    assert.deepEqual(await o.services.attention(), [], 'no item per unit');
    assert.deepEqual((await o.services.status()).budget?.project, {
      limit_usd: 1,
      window_hours: 24,
      spent_usd: 1,
      reached: true,
      // without IMPLEMENT's $0.75 the window is under its limit
      frees_at: new Date(t0 + 24 * HOUR).toISOString(),
      waiting: 3,
    });

    const next = o.backend.whenStarted('a', 'REVIEW');
    o.clock.advance(24 * HOUR - 10 * 60_000); // to frees_at: the scheduler's timer fires
    const resumed = await next;
    assert.equal(resumed.request.resumeSessionId, review.session_id);
    assert.equal(resumed.request.systemNote, CONTINUE_AFTER_PROJECT_BUDGET);
    assert.equal(resumed.request.maxBudgetUsd, 0.75, 'REVIEW’s $0.25 is still in the window');
    await o.waitForUnit('c', (u) => u.status === 'DONE', 'the others go on too');
    await o.stop();
  });

  it('a raised project limit releases the held units at once', async () => {
    const o = await makeOrchestrator({ chunks: { a: {}, b: {} }, maxAgents: 1 });
    o.backend.setDefault([approve]);
    await o.parts.store.patchConfig({ project_budget_usd: 0.5 });
    o.backend.script('a', 'IMPLEMENT', [costs(0.5)]);
    await o.start();
    await o.services.inject({ chunks: ['a', 'b'] });
    await o.waitForUnit('a', (u) => u.phase === 'REVIEW' && u.status === 'READY', 'a done with IMPLEMENT');
    await quiet(o);
    assert.equal(o.backend.runs.length, 1);
    await o.services.patchConfig({ project_budget_usd: 10 });
    await o.waitForUnit('b', (u) => u.status === 'DONE', 'b DONE');
    await o.waitForUnit('a', (u) => u.status === 'DONE', 'a DONE');
    await o.stop();
  });

  it('shows when a usage limit resets and how many units wait for it', async () => {
    const o = await makeOrchestrator({ chunks: { a: {}, b: {} } });
    o.backend.setDefault([approve]);
    const resetAt = o.clock.now() + 2 * HOUR;
    for (const c of ['a', 'b'])
      o.backend.script(c, 'IMPLEMENT', [
        { fail: { code: 'usage_limit', message: 'usage limit reached', retryable: true, retryAt: resetAt } },
      ]);
    await o.start();
    await o.services.inject({ chunks: ['a', 'b'] });
    for (const c of ['a', 'b'])
      await o.waitForUnit(c, (u) => u.status === 'READY' && u.next_retry_at !== null, c);
    assert.deepEqual((await o.services.status()).usage_limit, {
      resumes_at: new Date(resetAt).toISOString(),
      units: 2,
    });
    o.clock.advance(2 * HOUR);
    await o.waitForUnit('a', (u) => u.status === 'DONE', 'a DONE after the reset');
    assert.equal((await o.services.status()).usage_limit, null);
    await o.stop();
  });
});
