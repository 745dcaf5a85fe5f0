/**
 * What a finished phase means for its unit (reference §6.4–6.6), decided in one pure function so the
 * whole policy is table-tested; `run-phase.ts` applies the decision.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import { backoffMs } from '../domain/backoff.js';
import type { AttentionKind, Phase, WorkUnit } from '../domain/work-unit.js';
import { nextPhase } from '../domain/work-unit.js';
import type { PhaseOutcome, ReviewDecision } from '../ports/agent-backend.js';
import type { AbortReason } from '../ports/live-phases.js';

export type PhaseDecision =
  | { kind: 'advance'; phase: Phase; reentry_context: string | null; reset_implement_iterations: boolean }
  | { kind: 'finalize' }
  | {
      kind: 'requeue';
      next_retry_at: string | null;
      session_id: string | null;
      api_retry_count: number;
      pending_answer: string | null;
    }
  | { kind: 'attend'; attention: AttentionKind; reason: string; session_id: string | null }
  | { kind: 'review_feedback'; review: ReviewDecision; iteration: number }
  | { kind: 'nudge'; session_id: string | null; pending_answer: string }
  /** the unit is no longer ours to move (answered, deleted, parked on a question) */
  | { kind: 'none'; session_id: string | null };

export const MAX_REVIEW_NUDGES = 3;
export const NUDGE_TEXT =
  'You finished the review without calling the ReviewDecision tool. Call it now with APPROVE, FEEDBACK or ESCALATE and a summary.';

export interface DecideContext {
  config: OrchestratorConfig;
  abortReason: AbortReason | null;
  /** epoch ms */
  now: number;
}

export function decideAfterPhase(unit: WorkUnit, outcome: PhaseOutcome, ctx: DecideContext): PhaseDecision {
  const session = outcome.session_id ?? unit.session_id;
  if (unit.status !== 'RUNNING') return { kind: 'none', session_id: session };
  switch (outcome.kind) {
    case 'aborted':
      return decideAborted(ctx.abortReason, session, ctx);
    case 'failed':
      return decideFailed(unit, outcome.failure, session, ctx);
    case 'completed':
      return decideCompleted(unit, outcome.review, session, ctx);
  }
}

function decideAborted(
  reason: AbortReason | null,
  session: string | null,
  ctx: DecideContext,
): PhaseDecision {
  switch (reason) {
    case 'kill-attention':
      return { kind: 'attend', attention: 'ERROR', reason: 'Stopped by the operator', session_id: session };
    case 'stall':
      return {
        kind: 'attend',
        attention: 'STALLED',
        reason: `No agent activity for ${ctx.config.stall_timeout_seconds}s; the phase was interrupted (its session is kept)`,
        session_id: session,
      };
    case 'delete':
      return { kind: 'none', session_id: session };
    default:
      // stop, kill-ready, hold-expired after an answer arrived: resume the same session later
      return {
        kind: 'requeue',
        next_retry_at: null,
        session_id: session,
        api_retry_count: 0,
        pending_answer: null,
      };
  }
}

function decideFailed(
  unit: WorkUnit,
  failure: Extract<PhaseOutcome, { kind: 'failed' }>['failure'],
  session: string | null,
  ctx: DecideContext,
): PhaseDecision {
  if (failure.code === 'usage_limit' && failure.retryAt !== undefined) {
    return {
      kind: 'requeue',
      next_retry_at: new Date(failure.retryAt).toISOString(),
      session_id: session,
      api_retry_count: unit.api_retry_count,
      pending_answer: 'continue',
    };
  }
  if (failure.retryable) {
    const attempt = unit.api_retry_count + 1;
    if (attempt <= ctx.config.api_retry_max_attempts) {
      return {
        kind: 'requeue',
        next_retry_at: new Date(ctx.now + backoffMs(attempt, ctx.config)).toISOString(),
        session_id: session,
        api_retry_count: attempt,
        pending_answer: 'continue',
      };
    }
    return {
      kind: 'attend',
      attention: 'ERROR',
      reason: `API error after ${unit.api_retry_count} retries: ${failure.message.slice(0, 300)}`,
      session_id: session,
    };
  }
  return {
    kind: 'attend',
    attention: 'ERROR',
    reason: `${failure.code}: ${failure.message.slice(0, 500)}`,
    session_id: session,
  };
}

function decideCompleted(
  unit: WorkUnit,
  review: ReviewDecision | null,
  session: string | null,
  ctx: DecideContext,
): PhaseDecision {
  if (unit.phase === 'COMPLETE') return { kind: 'finalize' };
  if (unit.phase !== 'REVIEW') {
    const next = nextPhase(unit.phase) as Phase;
    return { kind: 'advance', phase: next, reentry_context: null, reset_implement_iterations: false };
  }
  if (!review) {
    if (unit.review_nudge_count + 1 < MAX_REVIEW_NUDGES)
      return { kind: 'nudge', session_id: session, pending_answer: NUDGE_TEXT };
    return {
      kind: 'attend',
      attention: 'REVIEW',
      reason: `The reviewer finished ${MAX_REVIEW_NUDGES} times without a ReviewDecision; decide by answering (e.g. "approve") or retry`,
      session_id: session,
    };
  }
  switch (review.decision) {
    case 'APPROVE':
      return { kind: 'advance', phase: 'COMPLETE', reentry_context: null, reset_implement_iterations: true };
    case 'ESCALATE':
      return {
        kind: 'attend',
        attention: 'REVIEW',
        reason: `Review escalated: ${review.reason ?? review.summary}`,
        session_id: session,
      };
    case 'FEEDBACK': {
      const iteration = unit.review_iterations + 1;
      if (iteration >= ctx.config.review_max_iterations) {
        return {
          kind: 'attend',
          attention: 'REVIEW',
          reason: `Auto-escalated after ${iteration} review rounds (limit ${ctx.config.review_max_iterations}). Last feedback: ${review.summary}`,
          session_id: session,
        };
      }
      return { kind: 'review_feedback', review, iteration };
    }
  }
}

/** REVIEW_FEEDBACK.md as the implementer will read it. */
export function renderReviewFeedback(chunk: string, review: ReviewDecision, iteration: number): string {
  const issues = review.issues
    .map(
      (i, n) =>
        `${n + 1}. ${i.location ? `**${i.location}**: ` : ''}${i.concern}${i.suggestion ? `\n   Suggestion: ${i.suggestion}` : ''}`,
    )
    .join('\n');
  return `# Review feedback for ${chunk} (round ${iteration})\n\nDecision: FEEDBACK\n\n${review.summary}\n\n## Issues\n\n${issues || '(none listed)'}\n\nAddress every item (fix it, or explain in PLAN.md under Deviations why not), then delete this file.\n`;
}
