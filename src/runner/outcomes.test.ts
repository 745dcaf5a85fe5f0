import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import type { PhaseOutcome, ReviewDecision } from '../ports/agent-backend.js';
import type { AbortReason } from '../ports/live-phases.js';
import { decideAfterPhase, MAX_REVIEW_NUDGES } from './outcomes.js';

const NOW = Date.parse('2026-03-01T10:00:00.000Z');
const usage = { cost_usd: 0, tokens_in: 0, tokens_out: 0 };
const ok = (review: ReviewDecision | null = null): PhaseOutcome => ({
  kind: 'completed',
  session_id: 's2',
  usage,
  review,
  result_text: 'done',
});
const fail = (failure: Extract<PhaseOutcome, { kind: 'failed' }>['failure']): PhaseOutcome => ({
  kind: 'failed',
  session_id: 's2',
  usage,
  failure,
});
const decide = (
  unit = aWorkUnit({ chunk: 'a', status: 'RUNNING' }),
  outcome: PhaseOutcome = ok(),
  abortReason: AbortReason | null = null,
) => decideAfterPhase(unit, outcome, { config: DEFAULT_CONFIG, abortReason, now: NOW });
const review = (decision: ReviewDecision['decision']): ReviewDecision => ({
  decision,
  summary: 'sum',
  issues: decision === 'APPROVE' ? [] : [{ concern: 'c', blocking: true }],
});

describe('outcomes', () => {
  it('advances GOAL→PLAN→IMPLEMENT→REVIEW and REBASE→REVIEW; COMPLETE finalizes', () => {
    const cases = [
      ['GOAL', 'PLAN'],
      ['PLAN', 'IMPLEMENT'],
      ['IMPLEMENT', 'REVIEW'],
      ['REBASE', 'REVIEW'],
    ] as const;
    for (const [from, to] of cases) {
      const d = decide(aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: from }));
      assert.deepEqual(d.kind === 'advance' && d.phase, to);
    }
    assert.equal(decide(aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: 'COMPLETE' })).kind, 'finalize');
  });

  it('routes review decisions, and APPROVE wins even past the iteration limit', () => {
    const reviewing = aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: 'REVIEW', review_iterations: 9 });
    const approve = decide(reviewing, ok(review('APPROVE')));
    assert.ok(
      approve.kind === 'advance' && approve.phase === 'COMPLETE' && approve.reset_implement_iterations,
    );
    const escalate = decide(reviewing, ok(review('ESCALATE')));
    assert.ok(escalate.kind === 'attend' && escalate.attention === 'REVIEW' && escalate.session_id === 's2');
    const feedback = decide(
      aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: 'REVIEW', review_iterations: 0 }),
      ok(review('FEEDBACK')),
    );
    assert.ok(feedback.kind === 'review_feedback' && feedback.iteration === 1);
    const limit = decide(
      aWorkUnit({
        chunk: 'a',
        status: 'RUNNING',
        phase: 'REVIEW',
        review_iterations: DEFAULT_CONFIG.review_max_iterations - 1,
      }),
      ok(review('FEEDBACK')),
    );
    assert.ok(limit.kind === 'attend' && /Auto-escalated/.test(limit.reason));
  });

  it('starts another round only for blocking findings; notes ride with the approval into COMPLETE', () => {
    const reviewing = aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: 'REVIEW' });
    const issue = (concern: string, blocking: boolean) => ({ concern, blocking, location: 'src/a.ts#f' });
    const notesOnly = decide(
      reviewing,
      ok({ decision: 'FEEDBACK', summary: 's', issues: [issue('rename x', false), issue('typo', false)] }),
    );
    assert.ok(notesOnly.kind === 'advance' && notesOnly.phase === 'COMPLETE');
    assert.match(notesOnly.reentry_context ?? '', /### Reviewer notes.*\n[\s\S]*rename x[\s\S]*typo/);
    const mixed = decide(
      reviewing,
      ok({ decision: 'FEEDBACK', summary: 's', issues: [issue('no test', true), issue('typo', false)] }),
    );
    assert.ok(mixed.kind === 'review_feedback' && mixed.iteration === 1);
    const plain = decide(reviewing, ok({ decision: 'APPROVE', summary: 's', issues: [] }));
    assert.ok(plain.kind === 'advance' && plain.reentry_context === null);
  });

  it('holds a finished PLAN for the operator when plan_approval is on, keeping its session', () => {
    const planning = aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: 'PLAN' });
    const gated = decideAfterPhase(planning, ok(), {
      config: { ...DEFAULT_CONFIG, plan_approval: true },
      abortReason: null,
      now: NOW,
    });
    assert.ok(gated.kind === 'attend' && gated.attention === 'PLAN' && gated.session_id === 's2');
    assert.match(gated.reason, /ve orch approve a/);
    const other = decideAfterPhase(aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: 'GOAL' }), ok(), {
      config: { ...DEFAULT_CONFIG, plan_approval: true },
      abortReason: null,
      now: NOW,
    });
    assert.ok(other.kind === 'advance' && other.phase === 'PLAN');
  });

  it('nudges a reviewer that forgot the tool, then asks the operator', () => {
    assert.equal(decide(aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: 'REVIEW' })).kind, 'nudge');
    const last = decide(
      aWorkUnit({
        chunk: 'a',
        status: 'RUNNING',
        phase: 'REVIEW',
        review_nudge_count: MAX_REVIEW_NUDGES - 1,
      }),
    );
    assert.ok(last.kind === 'attend' && last.attention === 'REVIEW');
  });

  it('retries transient API errors with capped exponential backoff on the same session', () => {
    const d1 = decide(
      aWorkUnit({ chunk: 'a', status: 'RUNNING' }),
      fail({ code: 'overloaded', message: '529', retryable: true }),
    );
    assert.ok(d1.kind === 'requeue');
    assert.equal(Date.parse(d1.next_retry_at as string) - NOW, DEFAULT_CONFIG.api_retry_initial_ms);
    assert.deepEqual([d1.api_retry_count, d1.session_id, d1.pending_answer], [1, 's2', 'continue']);
    const d5 = decide(
      aWorkUnit({ chunk: 'a', status: 'RUNNING', api_retry_count: 20 - 13 }),
      fail({ code: 'api_5xx', message: '500', retryable: true }),
    );
    assert.ok(
      d5.kind === 'requeue' &&
        Date.parse(d5.next_retry_at as string) - NOW ===
          Math.min(DEFAULT_CONFIG.api_retry_initial_ms * 2 ** 7, DEFAULT_CONFIG.api_retry_max_ms),
    );
    const exhausted = decide(
      aWorkUnit({ chunk: 'a', status: 'RUNNING', api_retry_count: DEFAULT_CONFIG.api_retry_max_attempts }),
      fail({ code: 'api_5xx', message: '500 internal', retryable: true }),
    );
    assert.ok(exhausted.kind === 'attend' && /API error after/.test(exhausted.reason));
  });

  it('honours a usage-limit reset time and does not spend the retry budget', () => {
    const at = NOW + 3 * 3600_000;
    const d = decide(
      aWorkUnit({ chunk: 'a', status: 'RUNNING', api_retry_count: 2 }),
      fail({ code: 'usage_limit', message: 'limit', retryable: true, retryAt: at }),
    );
    assert.ok(
      d.kind === 'requeue' && d.next_retry_at === new Date(at).toISOString() && d.api_retry_count === 2,
    );
  });

  it('sends other failures to the operator with the error', () => {
    const d = decide(
      undefined,
      fail({ code: 'no_result', message: 'the agent ended without a result', retryable: false }),
    );
    assert.ok(d.kind === 'attend' && d.attention === 'ERROR' && /without a result/.test(d.reason));
  });

  it('maps aborts by their reason', () => {
    const aborted: PhaseOutcome = { kind: 'aborted', session_id: 's3', usage };
    assert.equal(decide(undefined, aborted, 'stop').kind, 'requeue');
    const stalled = decide(undefined, aborted, 'stall');
    assert.ok(stalled.kind === 'attend' && stalled.attention === 'STALLED' && stalled.session_id === 's3');
    assert.equal(decide(undefined, aborted, 'delete').kind, 'none');
  });

  it('leaves a unit alone that is no longer RUNNING (parked question, answered meanwhile)', () => {
    const d = decide(aWorkUnit({ chunk: 'a', status: 'NEEDS_ATTENTION' }), ok());
    assert.deepEqual(d, { kind: 'none', session_id: 's2' });
  });
});
