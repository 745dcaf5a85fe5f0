import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReviewDecision, ReviewIssue } from '../ports/agent-backend.js';
import { renderReviewFeedback, reviewerNotesContext, reviewVerdict } from './review-verdict.js';

const blocker: ReviewIssue = {
  location: 'src/cache.ts#get',
  concern: 'a miss is never tested',
  suggestion: 'add a test',
  blocking: true,
};
const note: ReviewIssue = { concern: 'the name `tmp` says little', blocking: false };
const review = (decision: ReviewDecision['decision'], issues: ReviewIssue[], reason?: string) => ({
  decision,
  summary: 'summary',
  issues,
  ...(reason ? { reason } : {}),
});

describe('reviewVerdict', () => {
  it('decides by the blocking findings, not by the word the reviewer chose', () => {
    const cases: [ReviewDecision, string][] = [
      [review('APPROVE', []), 'approve'],
      [review('APPROVE', [note]), 'approve'],
      [review('FEEDBACK', [note]), 'approve'],
      [review('FEEDBACK', [blocker, note]), 'round'],
      // a backend that lets APPROVE carry a blocker: the blocker still counts
      [review('APPROVE', [blocker]), 'round'],
      // FEEDBACK with no findings at all: its summary is the feedback
      [review('FEEDBACK', []), 'round'],
      [review('ESCALATE', [blocker], 'the goal contradicts the README'), 'escalate'],
    ];
    for (const [r, kind] of cases) assert.equal(reviewVerdict(r).kind, kind, JSON.stringify(r));
  });

  it('keeps every non-blocking finding of an approval as a note, and the reason of an escalation', () => {
    assert.deepEqual(reviewVerdict(review('FEEDBACK', [note])), { kind: 'approve', notes: [note] });
    assert.deepEqual(reviewVerdict(review('ESCALATE', [])), { kind: 'escalate', reason: 'summary' });
  });
});

describe('renderReviewFeedback', () => {
  it('lists blocking issues apart from the notes', () => {
    const text = renderReviewFeedback('cache', review('FEEDBACK', [note, blocker]), 2);
    assert.match(text, /^# Review feedback for cache \(round 2\)/);
    const blocking = text.indexOf('## Blocking issues');
    const notes = text.indexOf('## Non-blocking notes');
    assert.ok(blocking > 0 && notes > blocking, text);
    assert.match(
      text.slice(blocking, notes),
      /1\. \*\*src\/cache\.ts#get\*\*: a miss is never tested\n {3}Suggestion: add a test/,
    );
    assert.match(text.slice(notes), /1\. the name `tmp` says little/);
  });

  it('says the summary is the feedback when no issue is listed, and leaves out an empty notes section', () => {
    const text = renderReviewFeedback('cache', review('FEEDBACK', []), 1);
    assert.match(text, /none listed: the summary above is the feedback/);
    assert.doesNotMatch(text, /Non-blocking/);
  });
});

describe('reviewerNotesContext', () => {
  it('tells COMPLETE where to record the notes, one bullet each; nothing without notes', () => {
    const text = reviewerNotesContext('cache', [note, { ...blocker, blocking: false }]) ?? '';
    assert.match(text, /`### Reviewer notes` under \*\*Deviations\*\* in docs\/chunks\/cache\/PLAN\.md/);
    assert.deepEqual(
      text.split('\n').filter((l) => l.startsWith('- ')),
      [
        '- the name `tmp` says little',
        '- **src/cache.ts#get**: a miss is never tested (suggestion: add a test)',
      ],
    );
    assert.equal(reviewerNotesContext('cache', []), null);
  });
});
