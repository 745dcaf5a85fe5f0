/**
 * What happens around an agent phase, decided in one pure module (issue 12 §4): before it runs
 * (feedback still to address, the IMPLEMENT round budget) and after it ends (its outcome, its exit
 * conditions, a question asked in prose, the turn budget, the review decision, retry budgets).
 * `apply-decision.ts` turns a decision into one transition; the table test covers every branch.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import { backoffMs } from '../domain/backoff.js';
import type { ProjectWindow } from '../domain/budget.js';
import { exitNudge, type PhaseFacts, unmetExitConditions } from '../domain/exit-conditions.js';
import { askedInProse, isOfferOfMoreWork } from '../domain/prose-question.js';
import type { AttentionKind, Phase, WorkUnit } from '../domain/work-unit.js';
import { nextPhase } from '../domain/work-unit.js';
import type { AgentFailure, PhaseOutcome, ReviewDecision } from '../ports/agent-backend.js';
import type { AbortReason } from '../ports/live-phases.js';
import type { UnitFieldPatch } from '../ports/store.js';
import { decideBudgetStop } from './budget-decisions.js';
import { reviewerNotesContext, reviewVerdict } from './review-verdict.js';

export type PhaseDecision =
  | {
      kind: 'advance';
      phase: Phase;
      reentry_context: string | null;
      reason?: string;
      fields?: UnitFieldPatch;
    }
  | { kind: 'finalize' }
  /** back to READY on the same session; `note` is what the orchestrator tells the resumed session */
  | {
      kind: 'requeue';
      next_retry_at: string | null;
      session_id: string | null;
      api_retry_count: number;
      note: string | null;
      /** for the status log (default: the retry time, or "requeued") */
      reason?: string;
    }
  | {
      kind: 'attend';
      attention: AttentionKind;
      reason: string;
      session_id: string | null;
      fields?: UnitFieldPatch;
    }
  /** the agent asked the operator in prose: a QUESTION item; the answer resumes this session */
  | { kind: 'ask'; question: string; session_id: string | null }
  | { kind: 'review_feedback'; review: ReviewDecision; iteration: number }
  /** resume the same session with a reminder (exit conditions unmet, no review decision) */
  | { kind: 'nudge'; session_id: string | null; note: string; unmet: { id: string; missing: string }[] }
  /** the phase reached max_turns: resume the same session with a fresh turn budget */
  | { kind: 'extend'; session_id: string | null; note: string }
  /** the unit is no longer ours to move (answered, deleted, parked on a question) */
  | { kind: 'none'; session_id: string | null };

/** The PLAN item's text; the dashboard shows the plan itself with its own buttons. */
export const planApprovalReason = (chunk: string): string =>
  `The plan is ready for your approval: read it (ve orch plan ${chunk}), then approve it (ve orch approve ${chunk}) or answer with what to change (ve orch answer ${chunk} "…")`;

export const NUDGE_TEXT =
  'You finished the review without calling the ReviewDecision tool. Call it now with APPROVE, FEEDBACK or ESCALATE and a summary.';
export const CONTINUE_AFTER_API_ERROR =
  'The previous attempt was cut short by a transient API error. Continue where you left off.';

export interface AfterPhaseContext {
  config: OrchestratorConfig;
  abortReason: AbortReason | null;
  /** what the worktree holds now; null when it was not read (the phase did not complete) */
  facts: PhaseFacts | null;
  /** the project's budget window after the phase (read for a `budget` failure); null without a project limit */
  project: ProjectWindow | null;
  /** epoch ms */
  now: number;
}

/**
 * Before a phase runs: null to run it, or the decision that replaces it. REVIEW with the feedback
 * file still present goes back to IMPLEMENT (the review would only repeat itself); IMPLEMENT sent back
 * more than `review_max_iterations` times asks the operator, with a fresh budget for the next round.
 */
export function decideBeforePhase(
  unit: WorkUnit,
  ctx: { config: OrchestratorConfig; feedbackPresent: boolean; feedbackFile: string },
): PhaseDecision | null {
  if (unit.phase === 'REVIEW' && ctx.feedbackPresent) {
    return {
      kind: 'advance',
      phase: 'IMPLEMENT',
      reentry_context: `${ctx.feedbackFile} is still present: address every item in it, then delete the file.`,
      reason: 'review feedback not yet addressed',
      fields: { implement_iterations: unit.implement_iterations + 1 },
    };
  }
  // `implement_iterations` counts the times IMPLEMENT was sent back (review feedback, or feedback
  // left unaddressed), not dispatches: a restart, a transient API retry or an answered question
  // continues the same iteration
  if (unit.phase === 'IMPLEMENT' && unit.implement_iterations > ctx.config.review_max_iterations) {
    return {
      kind: 'attend',
      attention: 'ERROR',
      reason: `IMPLEMENT was sent back ${unit.implement_iterations} times (limit ${ctx.config.review_max_iterations}); the chunk needs guidance`,
      session_id: unit.session_id,
      fields: { implement_iterations: 0 },
    };
  }
  return null;
}

export function decideAfterPhase(
  unit: WorkUnit,
  outcome: PhaseOutcome,
  ctx: AfterPhaseContext,
): PhaseDecision {
  const session = outcome.session_id ?? unit.session_id;
  if (unit.status !== 'RUNNING') return { kind: 'none', session_id: session };
  switch (outcome.kind) {
    case 'aborted':
      return decideAborted(ctx.abortReason, session, ctx);
    case 'failed':
      return decideFailed(unit, outcome.failure, session, ctx);
    case 'completed':
      return unit.phase === 'REVIEW'
        ? decideReview(unit, outcome.review, outcome.result_text, session, ctx)
        : decideCompleted(unit, outcome.result_text, session, ctx);
  }
}

function decideAborted(
  reason: AbortReason | null,
  session: string | null,
  ctx: AfterPhaseContext,
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
      return { kind: 'requeue', next_retry_at: null, session_id: session, api_retry_count: 0, note: null };
  }
}

function decideFailed(
  unit: WorkUnit,
  failure: AgentFailure,
  session: string | null,
  ctx: AfterPhaseContext,
): PhaseDecision {
  if (failure.code === 'max_turns') {
    const turns = ctx.config.max_turns;
    if (unit.turn_extensions < ctx.config.max_turn_extensions) {
      return {
        kind: 'extend',
        session_id: session,
        note: `You reached this session's turn limit (${turns} turns) before finishing ${unit.phase}. Continue where you left off: you have ${turns} more turns. Finish the phase's work, and commit as you go.`,
      };
    }
    return {
      kind: 'attend',
      attention: 'TURNS',
      reason: `${unit.phase} used ${unit.turn_extensions + 1} turn budgets of ${turns} turns without finishing (max_turn_extensions ${ctx.config.max_turn_extensions}). Retry continues the same session with ${turns} more turns; or answer with guidance.`,
      session_id: session,
    };
  }
  if (failure.code === 'budget') {
    // Claude Code stopped at the cap it was given: a unit or phase limit asks the operator, the project's holds
    return decideBudgetStop(unit, session, ctx.config, ctx.project);
  }
  if (failure.code === 'usage_limit' && failure.retryAt !== undefined) {
    return {
      kind: 'requeue',
      next_retry_at: new Date(failure.retryAt).toISOString(),
      session_id: session,
      api_retry_count: unit.api_retry_count,
      note: 'The usage limit that stopped you has reset. Continue where you left off.',
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
        note: CONTINUE_AFTER_API_ERROR,
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

/** A completed agent phase (not REVIEW): its exit conditions, or a question it asked in prose. */
function decideCompleted(
  unit: WorkUnit,
  finalMessage: string | null,
  session: string | null,
  ctx: AfterPhaseContext,
): PhaseDecision {
  const unmet = ctx.facts ? unmetExitConditions(unit.phase, ctx.facts) : [];
  const question = askedInProse(finalMessage);
  // an offer of more work after a phase that did its job stops nobody; any other question does
  if (question !== null && (unmet.length > 0 || !isOfferOfMoreWork(question))) {
    return { kind: 'ask', question, session_id: session };
  }
  if (unmet.length > 0) {
    if (unit.nudge_count < ctx.config.max_nudges) {
      return { kind: 'nudge', session_id: session, note: exitNudge(unit.phase, unmet), unmet };
    }
    return {
      kind: 'attend',
      attention: 'INCOMPLETE',
      reason: `${unit.phase} ended without what it must leave, after ${unit.nudge_count} reminder(s): ${unmet.map((u) => u.missing).join('; ')}. Answer with guidance (it resumes the session), or retry for a fresh session.`,
      session_id: session,
    };
  }
  if (unit.phase === 'COMPLETE') return { kind: 'finalize' };
  if (unit.phase === 'PLAN' && ctx.config.plan_approval) {
    // the operator approves the plan before IMPLEMENT (issue 11 §6); feedback resumes this session
    return { kind: 'attend', attention: 'PLAN', reason: planApprovalReason(unit.chunk), session_id: session };
  }
  const next = nextPhase(unit.phase) as Phase;
  return { kind: 'advance', phase: next, reentry_context: null };
}

function decideReview(
  unit: WorkUnit,
  review: ReviewDecision | null,
  finalMessage: string | null,
  session: string | null,
  ctx: AfterPhaseContext,
): PhaseDecision {
  if (!review) {
    const question = askedInProse(finalMessage);
    if (question !== null) return { kind: 'ask', question, session_id: session };
    if (unit.nudge_count < ctx.config.max_nudges)
      return { kind: 'nudge', session_id: session, note: NUDGE_TEXT, unmet: [] };
    return {
      kind: 'attend',
      attention: 'REVIEW',
      reason: `The reviewer finished ${unit.nudge_count + 1} times without a ReviewDecision; decide by answering (e.g. "approve") or retry`,
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
        fields: { implement_iterations: 0 },
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
