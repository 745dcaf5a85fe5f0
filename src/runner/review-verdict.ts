/**
 * What a reviewer's decision means for the unit (issue 11 §5), and the texts it leaves behind. PURE.
 * Only blocking findings start another IMPLEMENT round; non-blocking ones are notes that travel with
 * an approval into COMPLETE, which records them in PLAN.md.
 */
import type { ReviewDecision, ReviewIssue } from '../ports/agent-backend.js';

export type ReviewVerdict =
  /** the chunk may land; `notes` are the non-blocking findings to keep */
  | { kind: 'approve'; notes: ReviewIssue[] }
  /** another IMPLEMENT round, with REVIEW_FEEDBACK.md */
  | { kind: 'round' }
  /** the operator must decide */
  | { kind: 'escalate'; reason: string };

export function reviewVerdict(review: ReviewDecision): ReviewVerdict {
  if (review.decision === 'ESCALATE') return { kind: 'escalate', reason: review.reason ?? review.summary };
  // a blocking finding starts a round whatever the decision says (the tool refuses APPROVE with one,
  // but another backend may not); FEEDBACK with no findings at all keeps its summary as the feedback
  const blocking = review.issues.some((i) => i.blocking);
  if (blocking || (review.decision === 'FEEDBACK' && review.issues.length === 0)) return { kind: 'round' };
  return { kind: 'approve', notes: review.issues };
}

function renderIssue(issue: ReviewIssue, n: number): string {
  const where = issue.location ? `**${issue.location}**: ` : '';
  const how = issue.suggestion ? `\n   Suggestion: ${issue.suggestion}` : '';
  return `${n + 1}. ${where}${issue.concern}${how}`;
}

/** REVIEW_FEEDBACK.md as the implementer will read it: blocking issues first, then the notes. */
export function renderReviewFeedback(chunk: string, review: ReviewDecision, iteration: number): string {
  const blocking = review.issues.filter((i) => i.blocking);
  const notes = review.issues.filter((i) => !i.blocking);
  const sections = [
    `# Review feedback for ${chunk} (round ${iteration})`,
    'Decision: FEEDBACK',
    review.summary,
    '## Blocking issues (each must be handled before the chunk can land)',
    blocking.length > 0
      ? blocking.map(renderIssue).join('\n')
      : '(none listed: the summary above is the feedback)',
  ];
  if (notes.length > 0)
    sections.push('## Non-blocking notes (take them or leave them)', notes.map(renderIssue).join('\n'));
  sections.push(
    'Fix every blocking issue, or explain in PLAN.md under Deviations why not (with evidence); the next review checks each one. Then delete this file.',
  );
  return `${sections.join('\n\n')}\n`;
}

/**
 * The context COMPLETE gets when the reviewer approved with non-blocking notes: they go into PLAN.md,
 * so they stay with the chunk after it lands. null when there are none.
 */
export function reviewerNotesContext(chunk: string, notes: readonly ReviewIssue[]): string | null {
  if (notes.length === 0) return null;
  return [
    'The reviewer approved this chunk with non-blocking notes. Keep them with the chunk: add a',
    `subsection \`### Reviewer notes\` under **Deviations** in docs/chunks/${chunk}/PLAN.md with one`,
    'bullet per note, as written below, and commit it with GOAL.md. Do not change code for them.',
    '',
    ...notes.map((n) => {
      const where = n.location ? `**${n.location}**: ` : '';
      return `- ${where}${n.concern}${n.suggestion ? ` (suggestion: ${n.suggestion})` : ''}`;
    }),
  ].join('\n');
}
