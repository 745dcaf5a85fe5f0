/** The plan-approval gate through the in-process orchestrator (real store, scheduler and runner). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';
import { isOrchError } from '../domain/errors.js';

const PLAN = '# Plan\n\n## Approach\n\nUse a map.\n';

async function gated() {
  const o = await makeOrchestrator({ chunks: { feat: {} } });
  await o.parts.store.patchConfig({ plan_approval: true });
  await o.start();
  await o.services.inject({ chunks: ['feat'], phase: 'PLAN' });
  const item = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'PLAN item');
  return { o, item };
}

describe('plan approval', () => {
  it('holds a finished PLAN as a PLAN item, and approving it starts IMPLEMENT in a fresh session', async () => {
    const { o, item } = await gated();
    assert.equal(item.attention_kind, 'PLAN');
    assert.equal(item.phase, 'PLAN');
    const planRun = o.backend.runsOf('feat', 'PLAN')[0];
    assert.equal(item.session_id, planRun?.session_id, 'the PLAN session is kept for feedback');
    assert.deepEqual(
      (await o.services.attention()).map((i) => [i.chunk, i.kind]),
      [['feat', 'PLAN']],
    );
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 0, 'nothing is implemented before approval');

    const implementing = o.backend.whenStarted('feat', 'IMPLEMENT');
    const approved = await o.services.approve('feat', 'alice');
    assert.deepEqual([approved.status, approved.phase, approved.session_id], ['READY', 'IMPLEMENT', null]);
    assert.equal((await implementing).request.resumeSessionId, null);
    const { history, attention } = await o.services.history('feat');
    assert.ok(
      history.some(
        (h) => h.reason === 'plan approved by alice' && h.event === 'approve' && h.new_status === 'READY',
      ),
    );
    const answered = attention.find((a) => a.kind === 'PLAN');
    assert.equal(answered?.answered_by, 'alice');
    await o.stop();
  });

  it('resumes the PLAN session with the feedback, then asks for approval again', async () => {
    const { o, item } = await gated();
    const revising = o.backend.whenStarted('feat', 'PLAN');
    await o.services.answer('feat', { answer: 'Split step 2 in two.', answered_by: 'bob' });
    const run = await revising;
    assert.equal(run.request.resumeSessionId, item.session_id);
    assert.match(
      run.request.operatorAnswer ?? '',
      /asks for changes before approving it:\n\nSplit step 2 in two\./,
    );
    const again = await o.waitForUnit(
      'feat',
      (u) => u.status === 'NEEDS_ATTENTION' && u.version > item.version,
      'PLAN item again',
    );
    assert.equal(again.attention_kind, 'PLAN');
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 0);
    const log = await o.parts.store.attentionLog('feat');
    assert.equal(log[0]?.answer, 'Split step 2 in two.', 'the audit keeps what the operator wrote');
    await o.stop();
  });

  it('shows PLAN.md as committed on the unit branch, and refuses to approve anything but a plan', async () => {
    const { o } = await gated();
    const tip = o.worktrees.tips.get('feat') as string;
    o.landing.files.set(`${tip}:docs/chunks/feat/PLAN.md`, PLAN);
    assert.deepEqual(await o.services.plan('feat'), {
      chunk: 'feat',
      plan: PLAN,
      ref: 'orch/feat',
      commit: tip,
      awaiting_approval: true,
    });
    await o.services.approve('feat', 'alice');
    assert.equal((await o.services.plan('feat')).awaiting_approval, false);
    await assert.rejects(o.services.approve('feat', 'alice'), (e) => {
      assert.ok(isOrchError(e, 'invalid_transition'));
      assert.match(e.message, /'feat' has no plan or test changes waiting for approval/);
      return true;
    });
    await assert.rejects(o.services.plan('nope'), (e) => isOrchError(e, 'not_found'));
    await o.stop();
  });

  it('refuses to approve an item at PLAN that is not a plan waiting (an ERROR)', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.parts.store.patchConfig({ plan_approval: true });
    o.backend.script('feat', 'PLAN', [{ fail: { code: 'auth', message: 'not logged in' } }]);
    await o.start();
    await o.services.inject({ chunks: ['feat'], phase: 'PLAN' });
    const failed = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'ERROR item');
    assert.equal(failed.attention_kind, 'ERROR');
    await assert.rejects(
      o.services.approve('feat', 'alice'),
      /'feat' has no plan or test changes waiting for approval \(it is NEEDS_ATTENTION, ERROR at PLAN\)/,
    );
    assert.equal((await o.parts.store.get('feat'))?.version, failed.version, 'nothing changed');
    await o.stop();
  });

  it('lets a PLAN advance straight to IMPLEMENT when plan_approval is off', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.start();
    const implementing = o.backend.whenStarted('feat', 'IMPLEMENT');
    await o.services.inject({ chunks: ['feat'], phase: 'PLAN' });
    await implementing;
    assert.equal((await o.parts.store.attentionLog('feat')).length, 0);
    await o.stop();
  });
});
