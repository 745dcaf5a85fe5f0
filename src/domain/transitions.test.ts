import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { aWorkUnit } from '../../test/builders.js';
import type { ChunkName } from './chunk-name.js';
import { InvalidTransitionError } from './errors.js';
import { applyEvent, TRANSITIONS, targetStatus, type UnitEvent, type UnitEventType } from './transitions.js';
import { STATUSES } from './work-unit.js';

const NOW = '2026-02-02T00:00:00.000Z';
/** a unit in PLAN on session `s` */
const PLANNING = { chunk: 'a', phase: 'PLAN', session_id: 's' } as const;

/** One event of each type: a new event type does not compile here until it is covered. */
const SAMPLE: Record<UnitEventType, UnitEvent> = {
  dispatch: { type: 'dispatch', worktree: '/w' },
  advance: { type: 'advance', phase: 'IMPLEMENT' },
  approve: { type: 'approve', phase: 'IMPLEMENT' },
  requeue: { type: 'requeue', reason: 'transient' },
  attend: { type: 'attend', kind: 'ERROR', reason: 'boom' },
  answer: { type: 'answer', answer: 'yes' },
  resume: { type: 'resume', answer: 'yes' },
  retry: { type: 'retry' },
  lift: { type: 'lift', note: 'the budget was raised' },
  block: { type: 'block', blocked_by: ['other' as ChunkName] },
  unblock: { type: 'unblock' },
  finish: { type: 'finish' },
  enqueue: { type: 'enqueue', train_seq: 1 },
  send_back: { type: 'send_back', phase: 'IMPLEMENT', reentry_context: 'verification failed' },
  force: { type: 'force', status: 'READY' },
};

/** the samples, with force once towards every status */
const EVERY_EVENT: UnitEvent[] = [
  ...Object.values(SAMPLE).filter((e) => e.type !== 'force'),
  ...STATUSES.map((status): UnitEvent => ({ type: 'force', status })),
];

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

  it('names every event once in the table, each with known, distinct from-statuses', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), Object.keys(SAMPLE).sort());
    for (const [type, from] of Object.entries(TRANSITIONS)) {
      assert.ok(from.length > 0, `${type} is allowed from somewhere`);
      assert.equal(new Set(from).size, from.length, `${type} lists a status twice`);
      for (const st of from) assert.ok(STATUSES.includes(st), `${type}: unknown status ${st}`);
    }
    assert.deepEqual([...TRANSITIONS.force].sort(), [...STATUSES].sort(), 'force is allowed from anywhere');
  });

  it('applies an event exactly from the statuses the table lists, and throws from every other', () => {
    for (const status of STATUSES) {
      for (const event of EVERY_EVENT) {
        const u = aWorkUnit({ chunk: 'a', status, version: 7 });
        const before = structuredClone(u);
        if (TRANSITIONS[event.type].includes(status)) {
          const next = applyEvent(u, event, NOW);
          assert.equal(next.status, targetStatus(event), `${status} --${event.type}-->`);
          assert.deepEqual([next.version, next.updated_at], [8, NOW]);
        } else {
          assert.throws(
            () => applyEvent(u, event, NOW),
            (e) =>
              e instanceof InvalidTransitionError &&
              e.details?.from === status &&
              e.details?.event === event.type,
            `${status} --${event.type}--> must be refused`,
          );
        }
        assert.deepEqual(u, before, 'applyEvent is pure');
      }
    }
  });

  it('keeps the table connected: every status is entered, and left, without force (DONE only entered)', () => {
    const moves = EVERY_EVENT.filter((e) => e.type !== 'force').flatMap((e) =>
      TRANSITIONS[e.type].map((from) => ({ from, to: targetStatus(e) })),
    );
    for (const st of STATUSES) {
      assert.ok(
        moves.some((m) => m.to === st && m.from !== st),
        `nothing but force leads to ${st}`,
      );
      const leaves = moves.some((m) => m.from === st && m.to !== st);
      assert.equal(leaves, st !== 'DONE', `${st} ${st === 'DONE' ? 'is terminal' : 'can be left'}`);
    }
  });

  it('over any sequence of events, a unit holds an attention item exactly while it needs attention', () => {
    const event = fc.constantFrom(...EVERY_EVENT);
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let u = aWorkUnit({ chunk: 'a', status: 'READY' });
        for (const e of events) {
          if (!TRANSITIONS[e.type].includes(u.status)) continue;
          const next = applyEvent(u, e, NOW);
          assert.equal(next.version, u.version + 1);
          if (e.type !== 'force' || e.status !== 'NEEDS_ATTENTION') {
            // forcing into NEEDS_ATTENTION keeps whatever item there was (the operator's escape hatch)
            assert.equal(next.attention_kind !== null, next.status === 'NEEDS_ATTENTION', JSON.stringify(e));
          }
          u = next;
        }
      }),
    );
  });

  it('never leaves DONE except by force', () => {
    for (const [type, from] of Object.entries(TRANSITIONS)) {
      if (type !== 'force') assert.ok(!from.includes('DONE'), `${type} must not leave DONE`);
    }
    const done = aWorkUnit({ chunk: 'a', status: 'DONE' });
    assert.equal(applyEvent(done, { type: 'force', status: 'READY' }, NOW).status, 'READY');
  });

  it('advance starts the next phase in a fresh session with the retry budget reset', () => {
    const u = aWorkUnit({ ...PLANNING, status: 'RUNNING', api_retry_count: 3, pending_answer: 'yes' });
    const next = applyEvent(u, { type: 'advance', phase: 'IMPLEMENT' }, NOW);
    assert.deepEqual(
      [next.status, next.phase, next.session_id, next.api_retry_count, next.pending_answer],
      ['READY', 'IMPLEMENT', null, 0, null],
    );
  });

  it('approve moves a PLAN item on to the next phase in a fresh session, its item closed', () => {
    const item = { attention_kind: 'PLAN', attention_reason: 'approve the plan' } as const;
    const waiting = aWorkUnit({ ...PLANNING, ...item, status: 'NEEDS_ATTENTION', pending_answer: 'earlier' });
    const next = applyEvent(waiting, { type: 'approve', phase: 'IMPLEMENT' }, NOW);
    assert.deepEqual(
      [
        next.status,
        next.phase,
        next.session_id,
        next.pending_answer,
        next.attention_kind,
        next.attention_reason,
      ],
      ['READY', 'IMPLEMENT', null, null, null, null],
    );
  });
  it('keeps an acceptance of test changes until the agent works on the unit again', () => {
    const accepted = aWorkUnit({
      chunk: 'a',
      status: 'NEEDS_ATTENTION',
      tests_accepted: true,
      finalizing: true,
    });
    const retried = applyEvent(accepted, { type: 'retry' }, NOW);
    assert.deepEqual([retried.tests_accepted, retried.finalizing], [true, true], 'back to its landing');
    const back = applyEvent(accepted, { type: 'send_back', phase: 'IMPLEMENT', reentry_context: 'x' }, NOW);
    assert.equal(back.tests_accepted, false);
    const running = aWorkUnit({ chunk: 'a', status: 'RUNNING', tests_accepted: true });
    assert.equal(applyEvent(running, { type: 'advance', phase: 'REBASE' }, NOW).tests_accepted, false);
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

  it('lift returns a BUDGET item to READY on its session, with the note and its counters kept', () => {
    const budgetItem = { status: 'NEEDS_ATTENTION', attention_kind: 'BUDGET' } as const;
    const kept = { session_id: 's', pending_answer: 'use the cache', turn_extensions: 1, api_retry_count: 2 };
    const u = aWorkUnit({ chunk: 'a', ...budgetItem, attention_reason: 'Unit budget reached', ...kept });
    const next = applyEvent(u, { type: 'lift', note: 'the budget was raised' }, NOW);
    assert.equal(next.status, 'READY');
    assert.equal(next.attention_kind, null);
    assert.deepEqual(
      [next.session_id, next.pending_answer, next.pending_nudge, next.turn_extensions, next.api_retry_count],
      ['s', 'use the cache', 'the budget was raised', 1, 2],
    );
  });
});
