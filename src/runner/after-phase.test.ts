/** The after-phase policy, table-tested: every branch of decideBeforePhase and decideAfterPhase. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import { DEFAULT_CONFIG, type OrchestratorConfig } from '../config/schema.js';
import type { ProjectWindow } from '../domain/budget.js';
import type { PhaseFacts } from '../domain/exit-conditions.js';
import type { Phase, WorkUnit } from '../domain/work-unit.js';
import type { AgentFailure, PhaseOutcome, ReviewDecision } from '../ports/agent-backend.js';
import type { AbortReason } from '../ports/live-phases.js';
import {
  CONTINUE_AFTER_API_ERROR,
  decideAfterPhase,
  decideBeforePhase,
  NUDGE_TEXT,
  type PhaseDecision,
} from './after-phase.js';
import { CONTINUE_AFTER_PROJECT_BUDGET } from './budget-decisions.js';

const NOW = Date.parse('2026-03-01T10:00:00.000Z');
const usage = { cost_usd: 0, tokens_in: 0, tokens_out: 0 };
const done = (
  text = 'Done: implemented and committed.',
  review: ReviewDecision | null = null,
): PhaseOutcome => ({
  kind: 'completed',
  session_id: 's2',
  usage,
  review,
  result_text: text,
});
const failed = (failure: AgentFailure): PhaseOutcome => ({
  kind: 'failed',
  session_id: 's2',
  usage,
  failure,
});
const aborted: PhaseOutcome = { kind: 'aborted', session_id: 's3', usage };
const BUDGET_STOP: AgentFailure = {
  code: 'budget',
  message: 'Reached maximum budget ($0.8)',
  retryable: false,
};
const review = (decision: ReviewDecision['decision']): ReviewDecision => ({
  decision,
  summary: 'sum',
  issues: decision === 'APPROVE' ? [] : [{ concern: 'c', blocking: true }],
});
const note = { location: 'src/a.ts#f', concern: 'rename x', blocking: false };
const PLAN_MD = '# Plan\n\n## Approach\n\nUse the cache.\n';
/** facts of a phase that did its job */
const good: PhaseFacts = {
  chunk: 'a',
  newCommits: 1,
  changedFiles: ['src/a.ts'],
  dirty: [],
  plan: PLAN_MD,
  goal: { status: 'ACTIVE', error: null },
};
const unit = (phase: Phase, over: Partial<WorkUnit> = {}) =>
  aWorkUnit({ chunk: 'a', status: 'RUNNING', phase, ...over });

interface Row {
  name: string;
  unit: WorkUnit;
  outcome: PhaseOutcome;
  facts?: PhaseFacts | null;
  abort?: AbortReason;
  config?: Partial<OrchestratorConfig>;
  project?: ProjectWindow;
  expect: Partial<PhaseDecision> & { kind: PhaseDecision['kind'] };
  check?: (d: PhaseDecision) => void;
}

const ROWS: Row[] = [
  // the pipeline
  {
    name: 'GOAL done → PLAN',
    unit: unit('GOAL'),
    outcome: done(),
    facts: good,
    expect: { kind: 'advance', phase: 'PLAN' },
  },
  {
    name: 'PLAN done → IMPLEMENT',
    unit: unit('PLAN'),
    outcome: done(),
    facts: good,
    expect: { kind: 'advance', phase: 'IMPLEMENT' },
  },
  {
    name: 'PLAN done with plan_approval on → a PLAN item that keeps the session for feedback',
    unit: unit('PLAN'),
    outcome: done(),
    facts: good,
    config: { plan_approval: true },
    expect: { kind: 'attend', attention: 'PLAN', session_id: 's2' },
    check: (d) => assert.match((d as { reason: string }).reason, /ve orch approve a/),
  },
  {
    name: 'PLAN without its Approach, plan_approval on → reminded first, not shown to the operator',
    unit: unit('PLAN'),
    outcome: done(),
    facts: { ...good, plan: '# Plan\n\n## Approach\n\n<!-- how -->\n' },
    config: { plan_approval: true },
    expect: { kind: 'nudge' },
  },
  {
    name: 'IMPLEMENT done → REVIEW',
    unit: unit('IMPLEMENT'),
    outcome: done(),
    facts: good,
    expect: { kind: 'advance', phase: 'REVIEW' },
  },
  {
    name: 'REBASE done → REVIEW',
    unit: unit('REBASE'),
    outcome: done(),
    facts: good,
    expect: { kind: 'advance', phase: 'REVIEW' },
  },
  {
    name: 'COMPLETE done → finalize',
    unit: unit('COMPLETE'),
    outcome: done(),
    facts: good,
    expect: { kind: 'finalize' },
  },
  {
    name: 'COMPLETE accepts a status in another case',
    unit: unit('COMPLETE'),
    outcome: done(),
    facts: { ...good, goal: { status: 'active', error: null } },
    expect: { kind: 'finalize' },
  },
  // exit conditions
  {
    name: 'PLAN without a written Approach is reminded',
    unit: unit('PLAN'),
    outcome: done(),
    facts: { ...good, plan: '# Plan\n\n## Approach\n\n<!-- template -->\n' },
    expect: { kind: 'nudge' },
    check: (d) => assert.match((d as { note: string }).note, /PLAN\.md has no written `## Approach`/),
  },
  {
    name: 'IMPLEMENT that changed only its documents is reminded',
    unit: unit('IMPLEMENT'),
    outcome: done(),
    facts: { ...good, changedFiles: ['docs/chunks/a/PLAN.md'] },
    expect: { kind: 'nudge' },
    check: (d) => assert.match((d as { note: string }).note, /changed no file outside the chunk documents/),
  },
  {
    name: 'IMPLEMENT with nothing committed is reminded',
    unit: unit('IMPLEMENT'),
    outcome: done(),
    facts: { ...good, newCommits: 0, changedFiles: [] },
    expect: { kind: 'nudge' },
  },
  {
    name: 'a tree left dirty (conflicts) is reminded',
    unit: unit('REBASE'),
    outcome: done(),
    facts: { ...good, dirty: ['src/x.ts'] },
    expect: { kind: 'nudge' },
    check: (d) => assert.match((d as { note: string }).note, /uncommitted changes are left in: src\/x\.ts/),
  },
  {
    name: 'COMPLETE shows the agent the YAML error',
    unit: unit('COMPLETE'),
    outcome: done(),
    facts: {
      ...good,
      goal: {
        status: null,
        error: 'docs/chunks/a/GOAL.md: could not parse frontmatter: bad indentation at line 3',
      },
    },
    expect: { kind: 'nudge' },
    check: (d) =>
      assert.match(
        (d as { note: string }).note,
        /^- docs\/chunks\/a\/GOAL\.md: could not parse frontmatter: bad indentation at line 3\. Fix the YAML/m,
      ),
  },
  {
    name: 'COMPLETE still IMPLEMENTING is reminded',
    unit: unit('COMPLETE'),
    outcome: done(),
    facts: { ...good, goal: { status: 'IMPLEMENTING', error: null } },
    expect: { kind: 'nudge' },
  },
  {
    name: 'after max_nudges reminders, an INCOMPLETE item names what is missing',
    unit: unit('PLAN', { nudge_count: DEFAULT_CONFIG.max_nudges }),
    outcome: done(),
    facts: { ...good, plan: null },
    expect: { kind: 'attend', attention: 'INCOMPLETE', session_id: 's2' },
    check: (d) => assert.match((d as { reason: string }).reason, /PLAN\.md has no written/),
  },
  // questions in prose
  {
    name: 'a question asked in prose, work not done → QUESTION',
    unit: unit('IMPLEMENT'),
    outcome: done('I found two stores.\n\nShould I use Redis or SQLite?'),
    facts: { ...good, newCommits: 0, changedFiles: [] },
    expect: { kind: 'ask', question: 'Should I use Redis or SQLite?', session_id: 's2' },
  },
  {
    name: 'a question asked in prose, work done, not an offer → QUESTION',
    unit: unit('PLAN'),
    outcome: done('Plan written.\n\nIs it OK to change the public signature of parseConfig?'),
    facts: good,
    expect: { kind: 'ask' },
  },
  {
    name: 'an offer of more work after a finished phase stops nobody',
    unit: unit('IMPLEMENT'),
    outcome: done('All done and committed.\n\nWould you like me to also add a CLI flag?'),
    facts: good,
    expect: { kind: 'advance', phase: 'REVIEW' },
  },
  {
    name: 'an offer when the work is not done is a question',
    unit: unit('IMPLEMENT'),
    outcome: done('Would you like me to implement the plan?'),
    facts: { ...good, newCommits: 0, changedFiles: [] },
    expect: { kind: 'ask' },
  },
  // turns
  {
    name: 'max_turns → more turns on the same session',
    unit: unit('IMPLEMENT'),
    outcome: failed({ code: 'max_turns', message: 'max turns', retryable: false }),
    expect: { kind: 'extend', session_id: 's2' },
    check: (d) => assert.match((d as { note: string }).note, /you have 100 more turns/),
  },
  {
    name: 'max_turns after every extension → a TURNS item',
    unit: unit('IMPLEMENT', { turn_extensions: DEFAULT_CONFIG.max_turn_extensions }),
    outcome: failed({ code: 'max_turns', message: 'max turns', retryable: false }),
    expect: { kind: 'attend', attention: 'TURNS', session_id: 's2' },
  },
  // review
  {
    name: 'APPROVE → COMPLETE with a fresh round budget',
    unit: unit('REVIEW', { review_iterations: 9 }),
    outcome: done('', review('APPROVE')),
    expect: { kind: 'advance', phase: 'COMPLETE', fields: { implement_iterations: 0 } },
  },
  {
    name: 'ESCALATE → a REVIEW item',
    unit: unit('REVIEW'),
    outcome: done('', review('ESCALATE')),
    expect: { kind: 'attend', attention: 'REVIEW', session_id: 's2' },
  },
  {
    name: 'FEEDBACK → round 1',
    unit: unit('REVIEW'),
    outcome: done('', review('FEEDBACK')),
    expect: { kind: 'review_feedback', iteration: 1 },
  },
  {
    name: 'FEEDBACK whose findings are all non-blocking → an approval, the notes handed to COMPLETE',
    unit: unit('REVIEW'),
    outcome: done('', { decision: 'FEEDBACK', summary: 's', issues: [note] }),
    expect: { kind: 'advance', phase: 'COMPLETE' },
    check: (d) =>
      assert.match(
        (d as { reentry_context: string }).reentry_context,
        /### Reviewer notes[\s\S]*- \*\*src\/a\.ts#f\*\*: rename x/,
      ),
  },
  {
    name: 'FEEDBACK with a blocking finding and a note → round 1',
    unit: unit('REVIEW'),
    outcome: done('', {
      decision: 'FEEDBACK',
      summary: 's',
      issues: [note, { concern: 'no test', blocking: true }],
    }),
    expect: { kind: 'review_feedback', iteration: 1 },
  },
  {
    name: 'FEEDBACK at the round limit → auto-escalated',
    unit: unit('REVIEW', { review_iterations: DEFAULT_CONFIG.review_max_iterations - 1 }),
    outcome: done('', review('FEEDBACK')),
    expect: { kind: 'attend', attention: 'REVIEW' },
  },
  {
    name: 'no review decision → reminded',
    unit: unit('REVIEW'),
    outcome: done('Looks good.'),
    expect: { kind: 'nudge', note: NUDGE_TEXT },
  },
  {
    name: 'no review decision after the reminders → a REVIEW item',
    unit: unit('REVIEW', { nudge_count: DEFAULT_CONFIG.max_nudges }),
    outcome: done('Looks good.'),
    expect: { kind: 'attend', attention: 'REVIEW' },
  },
  {
    name: 'a reviewer asking in prose → QUESTION',
    unit: unit('REVIEW'),
    outcome: done('Two criteria contradict each other.\n\nWhich one should the implementation follow?'),
    expect: { kind: 'ask' },
  },
  // failures
  {
    name: 'a transient API error → backoff on the same session, told to continue (not as the operator)',
    unit: unit('IMPLEMENT'),
    outcome: failed({ code: 'overloaded', message: '529', retryable: true }),
    expect: { kind: 'requeue', session_id: 's2', api_retry_count: 1, note: CONTINUE_AFTER_API_ERROR },
    check: (d) =>
      assert.equal(
        Date.parse((d as { next_retry_at: string }).next_retry_at) - NOW,
        DEFAULT_CONFIG.api_retry_initial_ms,
      ),
  },
  {
    name: 'transient errors past the budget → ERROR',
    unit: unit('IMPLEMENT', { api_retry_count: DEFAULT_CONFIG.api_retry_max_attempts }),
    outcome: failed({ code: 'api_5xx', message: '500 internal', retryable: true }),
    expect: { kind: 'attend', attention: 'ERROR' },
  },
  {
    name: 'a usage limit waits for its reset and spends no retry',
    unit: unit('IMPLEMENT', { api_retry_count: 2 }),
    outcome: failed({ code: 'usage_limit', message: 'limit', retryable: true, retryAt: NOW + 3600_000 }),
    expect: { kind: 'requeue', next_retry_at: new Date(NOW + 3600_000).toISOString(), api_retry_count: 2 },
  },
  // Claude Code stopped the phase at the cap it was given (failure `budget`)
  {
    name: 'stopped at the unit’s remaining budget → BUDGET naming the limit, the spend and the raise',
    unit: unit('IMPLEMENT', { cost_usd: 5.2 }),
    outcome: failed(BUDGET_STOP),
    config: { unit_budget_usd: 5 },
    expect: {
      kind: 'attend',
      attention: 'BUDGET',
      session_id: 's2',
      reason:
        'Unit budget reached: $5.20 of $5.00 (unit_budget_usd), over all its phases and retries. No new phase starts; raising the limit resumes it on the same session: ve orch config --unit-budget-usd 10.40',
    },
  },
  {
    name: 'stopped at its per-phase cap alone → BUDGET whose retry continues the session',
    unit: unit('IMPLEMENT', { cost_usd: 2.1 }),
    outcome: failed(BUDGET_STOP),
    config: { max_budget_usd: 2, unit_budget_usd: 10 },
    expect: { kind: 'attend', attention: 'BUDGET', session_id: 's2' },
    check: (d) =>
      assert.match((d as { reason: string }).reason, /per-phase budget of \$2\.00 \(max_budget_usd\)/),
  },
  {
    name: 'stopped at the project’s remaining budget → held READY on its session, told to continue later',
    unit: unit('IMPLEMENT', { cost_usd: 1, api_retry_count: 1 }),
    outcome: failed(BUDGET_STOP),
    config: { project_budget_usd: 50, max_budget_usd: 2 },
    project: { limit_usd: 50, window_hours: 24, spent_usd: 50.4, frees_at: NOW + 3600_000 },
    expect: {
      kind: 'requeue',
      session_id: 's2',
      next_retry_at: null,
      api_retry_count: 1,
      note: CONTINUE_AFTER_PROJECT_BUDGET,
    },
  },
  {
    name: 'stopped at a cap no limit explains any more (the window moved on) → goes on at once',
    unit: unit('IMPLEMENT', { cost_usd: 1 }),
    outcome: failed(BUDGET_STOP),
    config: { project_budget_usd: 50 },
    project: { limit_usd: 50, window_hours: 24, spent_usd: 12, frees_at: null },
    expect: { kind: 'requeue', session_id: 's2', next_retry_at: null, note: CONTINUE_AFTER_PROJECT_BUDGET },
  },
  {
    name: 'another failure → ERROR with the message',
    unit: unit('IMPLEMENT'),
    outcome: failed({ code: 'no_result', message: 'the agent ended without a result', retryable: false }),
    expect: { kind: 'attend', attention: 'ERROR', reason: 'no_result: the agent ended without a result' },
  },
  // aborts
  {
    name: 'stopped → requeued on its session',
    unit: unit('IMPLEMENT'),
    outcome: aborted,
    abort: 'stop',
    expect: { kind: 'requeue', session_id: 's3', note: null },
  },
  {
    name: 'stalled → STALLED',
    unit: unit('IMPLEMENT'),
    outcome: aborted,
    abort: 'stall',
    expect: { kind: 'attend', attention: 'STALLED', session_id: 's3' },
  },
  {
    name: 'deleted → none',
    unit: unit('IMPLEMENT'),
    outcome: aborted,
    abort: 'delete',
    expect: { kind: 'none' },
  },
  {
    name: 'killed to attention → ERROR',
    unit: unit('IMPLEMENT'),
    outcome: aborted,
    abort: 'kill-attention',
    expect: { kind: 'attend', attention: 'ERROR' },
  },
  // not ours any more
  {
    name: 'a unit no longer RUNNING is left alone',
    unit: unit('IMPLEMENT', { status: 'NEEDS_ATTENTION' }),
    outcome: done(),
    expect: { kind: 'none', session_id: 's2' },
  },
];

describe('decideAfterPhase', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const d = decideAfterPhase(row.unit, row.outcome, {
        config: { ...DEFAULT_CONFIG, ...row.config },
        abortReason: row.abort ?? null,
        facts: row.facts === undefined ? null : row.facts,
        project: row.project ?? null,
        now: NOW,
      });
      for (const [k, v] of Object.entries(row.expect))
        assert.deepEqual((d as Record<string, unknown>)[k], v, `${k} of ${JSON.stringify(d)}`);
      row.check?.(d);
    });
  }
});

describe('decideBeforePhase', () => {
  const ctx = (feedbackPresent: boolean) => ({
    config: DEFAULT_CONFIG,
    feedbackPresent,
    feedbackFile: 'REVIEW_FEEDBACK.md',
  });
  it('runs the phase when nothing stands in the way', () => {
    assert.equal(decideBeforePhase(unit('IMPLEMENT'), ctx(true)), null);
    assert.equal(decideBeforePhase(unit('REVIEW'), ctx(false)), null);
  });
  it('sends a REVIEW with feedback still present back to IMPLEMENT, counting the round', () => {
    const d = decideBeforePhase(unit('REVIEW', { implement_iterations: 1 }), ctx(true));
    assert.ok(
      d?.kind === 'advance' && d.phase === 'IMPLEMENT' && /still present/.test(d.reentry_context ?? ''),
    );
    assert.deepEqual(d.fields, { implement_iterations: 2 });
  });
  it('asks the operator when IMPLEMENT was sent back too often, with a fresh budget for the next round', () => {
    const d = decideBeforePhase(
      unit('IMPLEMENT', { implement_iterations: DEFAULT_CONFIG.review_max_iterations + 1 }),
      ctx(false),
    );
    assert.ok(d?.kind === 'attend' && d.attention === 'ERROR');
    assert.deepEqual(d.fields, { implement_iterations: 0 });
  });
});
