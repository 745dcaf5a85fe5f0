/** Applies a PhaseDecision: one transition (plus the files and audit rows it implies). */
import type { OrchestratorConfig } from '../config/schema.js';
import type { WorkUnit } from '../domain/work-unit.js';
import { finalizeUnit } from './finalize.js';
import type { PhaseDecision } from './outcomes.js';
import { renderReviewFeedback } from './review-verdict.js';
import type { RunnerDeps } from './run-phase.js';

export async function applyDecision(
  deps: RunnerDeps,
  unit: WorkUnit,
  decision: PhaseDecision,
  config: OrchestratorConfig,
): Promise<void> {
  const { store } = deps;
  const opts = { source: 'runner' as const, expectedVersion: unit.version };
  switch (decision.kind) {
    case 'none':
      if (decision.session_id && decision.session_id !== unit.session_id) {
        await store.update(unit.chunk, { session_id: decision.session_id }, { source: 'runner' });
      }
      return;
    case 'advance':
      await store.transition(
        unit.chunk,
        { type: 'advance', phase: decision.phase, reentry_context: decision.reentry_context },
        { ...opts, reason: `${unit.phase} done` },
        decision.reset_implement_iterations ? { implement_iterations: 0 } : undefined,
      );
      await store.invalidateConflicts(unit.chunk);
      return;
    case 'requeue':
      await store.transition(
        unit.chunk,
        {
          type: 'requeue',
          next_retry_at: decision.next_retry_at,
          session_id: decision.session_id,
          api_retry_count: decision.api_retry_count,
          pending_answer: decision.pending_answer,
        },
        { ...opts, reason: decision.next_retry_at ? `retry at ${decision.next_retry_at}` : 'requeued' },
      );
      return;
    case 'nudge':
      await store.transition(
        unit.chunk,
        { type: 'requeue', session_id: decision.session_id, pending_answer: decision.pending_answer },
        { ...opts, reason: 'reviewer nudged to call ReviewDecision' },
        { review_nudge_count: unit.review_nudge_count + 1 },
      );
      return;
    case 'attend':
      await store.transition(
        unit.chunk,
        {
          type: 'attend',
          kind: decision.attention,
          reason: decision.reason,
          session_id: decision.session_id,
        },
        { ...opts, reason: decision.reason },
      );
      return;
    case 'review_feedback': {
      const feedback = renderReviewFeedback(unit.chunk, decision.review, decision.iteration);
      await deps.chunks.writeArtifact(unit.chunk, 'REVIEW_FEEDBACK.md', feedback, unit.worktree ?? undefined);
      // kept beside the unit: the implementer deletes its copy, and the next REVIEW reads this one
      await deps.reviewRounds.saveFeedback(unit.chunk, decision.iteration, feedback);
      await store.transition(
        unit.chunk,
        { type: 'advance', phase: 'IMPLEMENT', reentry_context: null },
        { ...opts, reason: `review round ${decision.iteration}: feedback` },
        { review_iterations: decision.iteration, implement_iterations: unit.implement_iterations + 1 },
      );
      await store.invalidateConflicts(unit.chunk);
      return;
    }
    case 'finalize':
      await finalizeUnit(deps, unit, config, { verified: false });
      return;
  }
}
