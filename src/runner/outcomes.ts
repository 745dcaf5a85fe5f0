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
import { reviewerNotesContext, reviewVerdict } from './review-verdict.js';

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

/** The PLAN item's text; the dashboard shows the plan itself with its own buttons. */
export const planApprovalReason = (chunk: string): string =>
  `The plan is ready for your approval: read it (ve orch plan ${chunk}), then approve it (ve orch approve ${chunk}) or answer with what to change (ve orch answer ${chunk} "…")`;

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
  if (unit.phase === 'PLAN' && ctx.config.plan_approval) {
    // the operator approves the plan before IMPLEMENT (issue 11 §6); feedback resumes this session
    return { kind: 'attend', attention: 'PLAN', reason: planApprovalReason(unit.chunk), session_id: session };
  }
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
  // only blocking findings start another round (issue 11 §5); notes travel with the approval
  const verdict = reviewVerdict(review);
  switch (verdict.kind) {
    case 'approve':
      return {
        kind: 'advance',
        phase: 'COMPLETE',
        reentry_context: reviewerNotesContext(unit.chunk, verdict.notes),
        reset_implement_iterations: true,
      };
    case 'escalate':
      return {
        kind: 'attend',
        attention: 'REVIEW',
        reason: `Review escalated: ${verdict.reason}`,
        session_id: session,
      };
    case 'round': {
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
