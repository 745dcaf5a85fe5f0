/**
 * The record of a unit's REVIEW rounds (issue 11 §5), kept in its state directory
 * (`.ve/chunks/<c>/review/`): what each round sent back, and how the implementer answered, so the
 * next reviewer can check the answer instead of reviewing from scratch.
 */

export interface ReviewRound {
  /** 1 for the feedback of the first REVIEW, and so on (the unit's `review_iterations` after it) */
  round: number;
  /** REVIEW_FEEDBACK.md as it was written for the implementer */
  feedback: string;
  /** the implementer's final message of the IMPLEMENT round that followed; null until it ended */
  answer: string | null;
}

export interface ReviewRounds {
  /** keeps the feedback of `round` (written when the reviewer sends the unit back) */
  saveFeedback(chunk: string, round: number, feedback: string): Promise<void>;
  /** keeps the implementer's final message for `round`; a later one replaces it */
  saveAnswer(chunk: string, round: number, answer: string): Promise<void>;
  /** the round, or null when its feedback was never kept */
  get(chunk: string, round: number): Promise<ReviewRound | null>;
}
