import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import { isOrchError } from './errors.js';
import { applyEvent, canApply, TRANSITIONS, type UnitEvent } from './transitions.js';
import { STATUSES } from './work-unit.js';

const NOW = '2026-02-02T00:00:00.000Z';

describe('transitions', () => {
  it('dispatches READY to RUNNING, bumping the version and clearing attention', () => {
    const u = aWorkUnit({ chunk: 'a', status: 'READY', attention_reason: 'x', version: 4 });
    const next = applyEvent(u, { type: 'dispatch', worktree: '/w' }, NOW);
    assert.equal(next.status, 'RUNNING');
    assert.equal(next.version, 5);
    assert.equal(next.attention_reason, null);
    assert.equal(next.worktree, '/w');
    assert.equal(next.updated_at, NOW);
  });

  it('rejects every transition not in the table with a typed error', () => {
    const events: UnitEvent[] = [
      { type: 'dispatch' },
      { type: 'advance', phase: 'IMPLEMENT' },
      { type: 'requeue' },
      { type: 'answer', answer: 'x' },
      { type: 'retry' },
      { type: 'unblock' },
      { type: 'finish' },
    ];
    for (const status of STATUSES) {
      for (const event of events) {
        const u = aWorkUnit({ chunk: 'a', status });
        if (canApply(status, event.type)) {
          assert.doesNotThrow(() => applyEvent(u, event, NOW));
        } else {
          assert.throws(
            () => applyEvent(u, event, NOW),
            (e) => isOrchError(e, 'invalid_transition'),
          );
        }
      }
    }
  });

  it('never leaves DONE except by force', () => {
    for (const [type, from] of Object.entries(TRANSITIONS)) {
      if (type !== 'force') assert.ok(!from.includes('DONE'), `${type} must not leave DONE`);
    }
    const done = aWorkUnit({ chunk: 'a', status: 'DONE' });
    assert.equal(applyEvent(done, { type: 'force', status: 'READY' }, NOW).status, 'READY');
  });

  it('advance starts the next phase in a fresh session with the retry budget reset', () => {
    const u = aWorkUnit({
      chunk: 'a',
      status: 'RUNNING',
      phase: 'PLAN',
      session_id: 's',
      api_retry_count: 3,
      pending_answer: 'yes',
    });
    const next = applyEvent(u, { type: 'advance', phase: 'IMPLEMENT' }, NOW);
    assert.deepEqual(
      [next.status, next.phase, next.session_id, next.api_retry_count, next.pending_answer],
      ['READY', 'IMPLEMENT', null, 0, null],
    );
  });

  it('approve moves a PLAN item on to IMPLEMENT in a fresh session, and refuses any other item', () => {
    const waiting = aWorkUnit({
      chunk: 'a',
      status: 'NEEDS_ATTENTION',
      phase: 'PLAN',
      attention_kind: 'PLAN',
      attention_reason: 'approve the plan',
      session_id: 's',
    });
    const next = applyEvent(waiting, { type: 'approve' }, NOW);
    assert.deepEqual(
      [next.status, next.phase, next.session_id, next.attention_kind, next.attention_reason],
      ['READY', 'IMPLEMENT', null, null, null],
    );
    for (const kind of ['QUESTION', 'ERROR', 'REVIEW'] as const) {
      assert.throws(
        () => applyEvent({ ...waiting, attention_kind: kind }, { type: 'approve' }, NOW),
        /cannot approve from NEEDS_ATTENTION: only a plan waiting for approval can be approved/,
      );
    }
    assert.throws(
      () => applyEvent({ ...waiting, status: 'RUNNING' }, { type: 'approve' }, NOW),
      (e) => isOrchError(e, 'invalid_transition'),
    );
  });

  it('attend records kind, reason and time; answer clears them and keeps the session', () => {
    const u = aWorkUnit({ chunk: 'a', status: 'RUNNING', session_id: 's1' });
    const asked = applyEvent(u, { type: 'attend', kind: 'QUESTION', reason: 'Question: which?' }, NOW);
    assert.equal(asked.attention_kind, 'QUESTION');
    assert.equal(asked.attention_at, NOW);
    const answered = applyEvent(asked, { type: 'answer', answer: 'this one' }, NOW);
    assert.equal(answered.status, 'READY');
    assert.equal(answered.attention_kind, null);
    assert.equal(answered.session_id, 's1');
    assert.equal(answered.pending_answer, 'this one');
  });

  it('retry drops the session and the retry state', () => {
    const u = aWorkUnit({
      chunk: 'a',
      status: 'NEEDS_ATTENTION',
      session_id: 's',
      api_retry_count: 5,
      next_retry_at: NOW,
    });
    const next = applyEvent(u, { type: 'retry' }, NOW);
    assert.deepEqual([next.session_id, next.api_retry_count, next.next_retry_at], [null, 0, null]);
  });
});
