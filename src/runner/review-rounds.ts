/**
 * The runner's side of REVIEW rounds (issue 11 §5): it keeps the implementer's final message of an
 * IMPLEMENT round that answered review feedback, and hands the last round to the next REVIEW.
 */
import type { WorkUnit } from '../domain/work-unit.js';
import type { PhaseOutcome } from '../ports/agent-backend.js';
import type { Logger } from '../ports/logger.js';
import type { ReviewRound, ReviewRounds } from '../ports/review-rounds.js';

/** After an IMPLEMENT that followed review feedback: its final message is the answer to that round. */
export async function keepImplementerAnswer(
  rounds: ReviewRounds,
  unit: Pick<WorkUnit, 'chunk' | 'phase' | 'review_iterations'>,
  outcome: PhaseOutcome,
  log: Logger,
): Promise<void> {
  if (unit.phase !== 'IMPLEMENT' || unit.review_iterations === 0 || outcome.kind !== 'completed') return;
  try {
    await rounds.saveAnswer(unit.chunk, unit.review_iterations, outcome.result_text ?? '');
  } catch (error) {
    // the next review then goes without the answer; the unit itself is fine
    log.warn('the implementer answer to the review was not kept', { round: unit.review_iterations, error });
  }
}

/** What the REVIEW about to start gets: the round that sent the unit back last, if any. */
export async function previousReviewRound(
  rounds: ReviewRounds,
  unit: Pick<WorkUnit, 'chunk' | 'phase' | 'review_iterations'>,
): Promise<ReviewRound | null> {
  if (unit.phase !== 'REVIEW' || unit.review_iterations === 0) return null;
  return rounds.get(unit.chunk, unit.review_iterations);
}
