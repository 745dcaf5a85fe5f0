/** Applies a PhaseDecision: one transition (plus the files and audit rows it implies). */
import { randomUUID } from 'node:crypto';
import type { OrchestratorConfig } from '../config/schema.js';
import type { PendingQuestion, WorkUnit } from '../domain/work-unit.js';
import type { PhaseDecision } from './after-phase.js';
import { finalizeUnit } from './finalize.js';
import { renderReviewFeedback } from './review-verdict.js';
import type { RunnerDeps } from './runner-deps.js';

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
        { ...opts, reason: decision.reason ?? `${unit.phase} done` },
        decision.fields,
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
          pending_nudge: decision.note,
        },
        {
          ...opts,
          reason:
            decision.reason ?? (decision.next_retry_at ? `retry at ${decision.next_retry_at}` : 'requeued'),
        },
      );
      return;
    case 'nudge':
      await store.transition(
        unit.chunk,
        { type: 'requeue', session_id: decision.session_id, pending_nudge: decision.note },
        {
          ...opts,
          reason: decision.unmet.length
            ? `exit conditions not met (${decision.unmet.map((u) => u.id).join(', ')}): reminded`
            : 'reviewer reminded to call ReviewDecision',
        },
        { nudge_count: unit.nudge_count + 1 },
      );
      return;
    case 'extend':
      await store.transition(
        unit.chunk,
        { type: 'requeue', session_id: decision.session_id, pending_nudge: decision.note },
        { ...opts, reason: `turn limit reached: ${config.max_turns} more turns` },
        { turn_extensions: unit.turn_extensions + 1 },
      );
      return;
    case 'ask': {
      const question: PendingQuestion = {
        id: randomUUID(),
        phase: unit.phase,
        questions: [{ question: decision.question, header: 'Asked in prose', options: [] }],
        asked_at: new Date(deps.clock.now()).toISOString(),
      };
      const reason = `Question (asked in the agent's final message): ${decision.question.split('\n')[0]}`;
      await store.transition(
        unit.chunk,
        { type: 'attend', kind: 'QUESTION', reason, question, session_id: decision.session_id },
        { ...opts, reason },
      );
      return;
    }
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
        decision.fields,
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
      await finalizeUnit(deps, unit, config);
      return;
  }
}
