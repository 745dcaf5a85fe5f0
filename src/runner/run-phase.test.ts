import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FakeRun } from '../../test/fakes/fake-agent-backend.js';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';

describe('runner with the scheduler', () => {
  it('carries a unit through every phase and merges it', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    o.backend.script('feat', 'REVIEW', [
      { review: { decision: 'APPROVE', summary: 'good', issues: [] } },
      { complete: {} },
    ]);
    const done = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.deepEqual(o.worktrees.merged, ['feat']);
    assert.deepEqual(
      o.backend.runs.map((r) => r.request.phase),
      ['IMPLEMENT', 'REVIEW', 'COMPLETE'],
    );
    assert.equal(done.finalizing, false);
    const runs = await o.parts.store.phaseRuns('feat');
    assert.deepEqual(
      runs.map((r) => r.outcome),
      ['completed', 'completed', 'completed'],
    );
    await o.stop();
  });

  it('parks a question, delivers the answer to the live agent, and continues', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    o.backend.script('feat', 'IMPLEMENT', [
      { ask: [{ question: 'Which?', options: [{ label: 'A' }, { label: 'B' }] }] },
      { text: 'got {{last}}' },
      { complete: {} },
    ]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    const asked = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'question');
    assert.equal(asked.attention_kind, 'QUESTION');
    const items = await o.services.attention();
    assert.equal(items[0]?.question?.questions[0]?.question, 'Which?');
    await o.services.answer('feat', { option: 2, question_id: asked.question?.id as string });
    await o.waitForUnit('feat', (u) => u.phase === 'REVIEW' || u.status === 'DONE', 'past IMPLEMENT');
    const run = o.backend.runs.find((r) => r.request.phase === 'IMPLEMENT');
    assert.deepEqual(run?.answers, [{ answers: { 'Which?': 'B' } }]);
    const log = await o.parts.store.attentionLog('feat');
    assert.equal(log[0]?.answer, 'Which? → B');
    await o.stop();
  });

  it('resumes the saved session with the answer when the agent was gone (hold expired, or a restart)', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    o.backend.script('feat', 'IMPLEMENT', [
      { ask: [{ question: 'Which?', options: [{ label: 'A' }, { label: 'B' }] }] },
    ]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    const asked = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'question');
    const first = o.backend.runs[0];
    o.clock.advance(3600_000); // past the hold time: the agent is stopped, its session kept
    await first?.done;
    await o.parts.scheduler.idle();
    assert.equal((await o.parts.store.get('feat'))?.status, 'NEEDS_ATTENTION');
    const resumed = o.backend.whenStarted('feat', 'IMPLEMENT');
    await o.services.answer('feat', { option: 1, question_id: asked.question?.id as string });
    const run = await resumed;
    assert.equal(run.request.resumeSessionId, first?.session_id);
    assert.match(run.request.operatorAnswer ?? '', /Which\? → A/);
    await o.stop();
  });

  it('writes REVIEW_FEEDBACK.md on FEEDBACK and hands it to the next IMPLEMENT', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    o.backend.script('feat', 'REVIEW', [
      {
        review: {
          decision: 'FEEDBACK',
          summary: 'needs tests',
          issues: [{ concern: 'no tests', blocking: true }],
        },
      },
      { complete: {} },
    ]);
    const second = new Promise<void>((resolve) => {
      o.backend.script('feat', 'IMPLEMENT', [{ complete: {} }]);
      o.backend.script('feat', 'IMPLEMENT', [
        { wait: new Promise((r) => setTimeout(r, 0)) },
        { complete: {} },
      ]);
      resolve();
    });
    await second;
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    await o.waitForUnit(
      'feat',
      (u) => u.review_iterations === 1 && u.phase === 'IMPLEMENT',
      'back in IMPLEMENT',
    );
    const file = join(
      o.root,
      '.ve',
      'chunks',
      'feat',
      'worktree',
      'docs',
      'chunks',
      'feat',
      'REVIEW_FEEDBACK.md',
    );
    assert.ok(existsSync(file));
    assert.match(readFileSync(file, 'utf8'), /no tests/);
    const next = await o.backend.whenStarted('feat', 'IMPLEMENT');
    assert.match(next.request.reviewFeedback ?? '', /needs tests/);
    await o.stop();
  });

  it('retries a transient API error on the same session after the backoff', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    o.backend.script('feat', 'IMPLEMENT', [
      { fail: { code: 'overloaded', message: '529 overloaded', retryable: true } },
    ]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    const waiting = await o.waitForUnit(
      'feat',
      (u) => u.api_retry_count === 1 && u.status === 'READY',
      'backoff',
    );
    assert.ok(waiting.next_retry_at);
    const retried = o.backend.whenStarted('feat', 'IMPLEMENT');
    o.clock.advance(120_000);
    const run = await retried;
    assert.equal(run.request.resumeSessionId, o.backend.runs[0]?.session_id);
    assert.equal(run.request.operatorAnswer, null, 'a retry is not an operator answer');
    assert.match(run.request.systemNote ?? '', /transient API error/);
    await o.stop();
  });

  it('reports a stalled agent and keeps its session', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    o.backend.script('feat', 'IMPLEMENT', [{ hang: true }]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    await o.backend.whenStarted('feat', 'IMPLEMENT');
    o.clock.advance(3600_000);
    const stalled = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'stalled');
    assert.equal(stalled.attention_kind, 'STALLED');
    assert.equal(stalled.session_id, o.backend.runs[0]?.session_id);
    await o.stop();
  });

  it('sends a merge conflict to REBASE, and a refused merge to the operator', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {}, other: {} } });
    o.worktrees.finalizeScript.set('feat', [{ kind: 'conflict', files: ['src/a.ts'], message: 'CONFLICT' }]);
    o.worktrees.finalizeScript.set('other', [
      { kind: 'refused', message: 'local changes would be overwritten' },
    ]);
    const approve = [{ review: { decision: 'APPROVE' as const, summary: 'ok', issues: [] } }];
    for (const c of ['feat', 'feat', 'other']) o.backend.script(c, 'REVIEW', approve);
    await o.start();
    await o.services.inject({ chunks: ['feat', 'other'] });
    const rebasing = await o.waitForUnit('feat', (u) => u.phase === 'REBASE', 'REBASE');
    assert.equal(rebasing.merge_conflict_retries, 1);
    const refused = await o.waitForUnit('other', (u) => u.status === 'NEEDS_ATTENTION', 'MERGE item');
    assert.equal(refused.attention_kind, 'MERGE');
    assert.equal(refused.finalizing, true);
    await o.services.retry('other');
    await o.waitForUnit('other', (u) => u.status === 'DONE', 'merged after retry');
    await o.waitForUnit('feat', (u) => u.status === 'DONE', 'merged after rebase');
    await o.stop();
  });

  it('unblocks a dependent when its dependency is merged', async () => {
    const o = await makeOrchestrator({ chunks: { base: {}, top: { depends_on: ['base'] } } });
    await o.start();
    const injected = await o.services.inject({ chunks: ['top', 'base'] });
    assert.deepEqual(
      injected.results.map((u) => [u.chunk, u.status]),
      [
        ['base', 'READY'],
        ['top', 'BLOCKED'],
      ],
    );
    for (const c of ['base', 'top'])
      o.backend.script(c, 'REVIEW', [{ review: { decision: 'APPROVE', summary: 'ok', issues: [] } }]);
    await o.waitForUnit('top', (u) => u.status === 'DONE', 'top DONE');
    assert.deepEqual(o.worktrees.merged, ['base', 'top']);
    await o.stop();
  });

  it('finishes a finalizing unit whose worktree is gone without recreating it (crash after the merge)', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.services.inject({ chunks: ['feat'], phase: 'COMPLETE' });
    // as recovery leaves it after a crash between the worktree removal and the final transition
    await o.parts.store.update('feat', { finalizing: true, base_branch: 'main' }, { source: 'recovery' });
    // would raise a SETUP item if it ran
    await o.parts.store.patchConfig({ setup_command: 'exit 3' });
    await o.start();
    const done = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.equal(done.attention_kind, null);
    assert.deepEqual(o.worktrees.merged, ['feat']);
    assert.equal(await o.worktrees.exists('feat'), false, 'no worktree was created');
    assert.deepEqual(o.backend.runs, [], 'no agent ran');
    await o.stop();
  });

  it('does not count re-dispatches of the same IMPLEMENT (transient errors) as iterations', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.parts.store.patchConfig({ review_max_iterations: 1, api_retry_initial_ms: 1 });
    for (let i = 0; i < 3; i++)
      o.backend.script('feat', 'IMPLEMENT', [
        { fail: { code: 'overloaded', message: '529', retryable: true } },
      ]);
    o.backend.script('feat', 'REVIEW', [{ review: { decision: 'APPROVE', summary: 'ok', issues: [] } }]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    for (let i = 1; i <= 3; i++) {
      await o.waitForUnit('feat', (u) => u.api_retry_count === i && u.status === 'READY', `retry ${i}`);
      o.clock.advance(120_000);
    }
    const done = await o.waitForUnit(
      'feat',
      (u) => u.status === 'DONE' || u.status === 'NEEDS_ATTENTION',
      'end',
    );
    assert.equal(done.status, 'DONE', `${done.attention_kind}: ${done.attention_reason}`);
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 4);
    await o.stop();
  });

  it("hands REVIEW the last round's feedback and the implementer's answer, and COMPLETE the notes", async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    const wt = join(o.root, '.ve', 'chunks', 'feat', 'worktree', 'docs', 'chunks', 'feat');
    let release = () => {};
    const answered = new Promise<void>((r) => {
      release = r;
    });
    const note = { concern: 'the name `tmp` says little', blocking: false };
    o.backend
      .script('feat', 'REVIEW', [
        {
          review: {
            decision: 'FEEDBACK',
            summary: 'a miss is untested',
            issues: [{ concern: 'no miss test', blocking: true }, note],
          },
        },
      ])
      .script('feat', 'IMPLEMENT', [{ complete: { result_text: 'first version' } }])
      .script('feat', 'IMPLEMENT', [
        { wait: answered },
        { complete: { result_text: 'Added the miss test; kept `tmp`.' } },
      ])
      .script('feat', 'REVIEW', [{ review: { decision: 'FEEDBACK', summary: 'fine now', issues: [note] } }]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    await o.waitForUnit(
      'feat',
      (u) => u.review_iterations === 1 && u.phase === 'IMPLEMENT',
      'round 1 sent back',
    );
    const feedback = readFileSync(join(wt, 'REVIEW_FEEDBACK.md'), 'utf8');
    rmSync(join(wt, 'REVIEW_FEEDBACK.md')); // what the implementer does once it has handled it
    release();
    await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    const [first, second] = o.backend.runsOf('feat', 'REVIEW');
    assert.equal(first?.request.previousReview, null);
    assert.deepEqual(second?.request.previousReview, {
      round: 1,
      feedback,
      answer: 'Added the miss test; kept `tmp`.',
    });
    const kept = join(o.root, '.ve', 'chunks', 'feat', 'review');
    assert.equal(readFileSync(join(kept, 'round-1-feedback.md'), 'utf8'), feedback);
    // the second review's only finding was not blocking: an approval, its note handed to COMPLETE
    const complete = o.backend.runsOf('feat', 'COMPLETE')[0];
    assert.match(
      complete?.request.reentryContext ?? '',
      /### Reviewer notes[\s\S]*- the name `tmp` says little/,
    );
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 2);
    await o.stop();
  });

  it('asks for guidance when IMPLEMENT keeps being sent back, and a retry starts a fresh budget', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    await o.parts.store.patchConfig({ review_max_iterations: 2 });
    // the implementer never deletes REVIEW_FEEDBACK.md, so every REVIEW sends it straight back
    o.backend.script('feat', 'REVIEW', [
      {
        review: { decision: 'FEEDBACK', summary: 'add docs', issues: [{ concern: 'docs', blocking: true }] },
      },
    ]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    const stuck = await o.waitForUnit('feat', (u) => u.status === 'NEEDS_ATTENTION', 'escalation');
    assert.equal(stuck.attention_kind, 'ERROR');
    assert.match(stuck.attention_reason ?? '', /^IMPLEMENT was sent back 3 times \(limit 2\)/);
    assert.equal(stuck.implement_iterations, 0);
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 3);
    await o.services.retry('feat');
    await o.waitForUnit(
      'feat',
      (u) => u.status === 'NEEDS_ATTENTION' && u.version > stuck.version,
      'next escalation',
    );
    assert.equal(
      o.backend.runsOf('feat', 'IMPLEMENT').length,
      6,
      'the retry ran a fresh budget of IMPLEMENT',
    );
    await o.stop();
  });

  it("commits its own FUTURE → IMPLEMENTING edit, so the agent starts on a clean tree and the edit is not counted as the agent's", async () => {
    const o = await makeOrchestrator({ chunks: { feat: { status: 'FUTURE' } } });
    let atStart: { dirty: string[]; status: string | undefined } | null = null;
    o.backend.script('feat', 'IMPLEMENT', [
      {
        act: async (req) => {
          const goal = readFileSync(join(req.worktree, 'docs', 'chunks', 'feat', 'GOAL.md'), 'utf8');
          const { dirty } = await o.worktrees.inspect('feat', null);
          atStart = { dirty, status: /^status: (.*)$/m.exec(goal)?.[1] };
        },
      },
      { complete: {} },
    ]);
    o.backend.script('feat', 'REVIEW', [{ review: { decision: 'APPROVE', summary: 'good', issues: [] } }]);
    const activate = (path: string) =>
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^status: .*$/m, 'status: ACTIVE'));
    o.backend.script('feat', 'COMPLETE', [
      { act: (req) => activate(join(req.worktree, 'docs', 'chunks', 'feat', 'GOAL.md')) },
      { complete: {} },
    ]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.deepEqual(atStart, { dirty: [], status: 'IMPLEMENTING' });
    await o.stop();
  });

  it('resumes a COMPLETE that broke the YAML of GOAL.md with the YAML error, instead of failing it', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    let breakGoal = () => {};
    let fixGoal = () => {};
    o.backend.script('feat', 'REVIEW', [{ review: { decision: 'APPROVE', summary: 'good', issues: [] } }]);
    o.backend.script('feat', 'COMPLETE', [
      { wait: new Promise<void>((ok) => (breakGoal = ok)) },
      { complete: {} },
    ]);
    o.backend.script('feat', 'COMPLETE', [
      { wait: new Promise<void>((ok) => (fixGoal = ok)) },
      { complete: {} },
    ]);
    await o.start();
    await o.services.inject({ chunks: ['feat'] });
    const first = await o.backend.whenStarted('feat', 'COMPLETE');
    const goal = join(first.request.worktree, 'docs', 'chunks', 'feat', 'GOAL.md');
    const text = readFileSync(goal, 'utf8');
    writeFileSync(goal, text.replace(/^status: .*$/m, 'status: ACTIVE\nsummary: adds feat: a thing'));
    breakGoal();
    const resumedOrFailed = await o.waitForUnit(
      'feat',
      (u) => u.status === 'NEEDS_ATTENTION' || o.backend.runsOf('feat', 'COMPLETE').length === 2,
      'resumed',
    );
    assert.notEqual(
      resumedOrFailed.status,
      'NEEDS_ATTENTION',
      `${resumedOrFailed.attention_kind}: ${resumedOrFailed.attention_reason}`,
    );
    const resumed = o.backend.runsOf('feat', 'COMPLETE')[1] as FakeRun;
    assert.match(resumed.request.systemNote ?? '', /GOAL\.md: could not parse frontmatter: Nested mappings/);
    assert.equal(resumed.request.resumeSessionId, first.session_id, 'the same session goes on');
    writeFileSync(goal, text.replace(/^status: .*$/m, 'status: ACTIVE\nsummary: "adds feat: a thing"'));
    fixGoal();
    await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    await o.stop();
  });
});
