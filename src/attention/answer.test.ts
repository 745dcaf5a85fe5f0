import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';
import { isOrchError } from '../domain/errors.js';
import type { PendingQuestion } from '../domain/work-unit.js';
import type { QuestionAnswer } from '../ports/agent-backend.js';
import type { LivePhases } from '../ports/live-phases.js';
import { answerItem } from './answer.js';

const QUESTION: PendingQuestion = {
  id: 'q-1',
  phase: 'IMPLEMENT',
  asked_at: '2026-01-01T00:00:00.000Z',
  questions: [
    { question: 'Which store?', options: [{ label: 'SQLite' }, { label: 'Postgres' }] },
    { question: 'Add a cache?', options: [{ label: 'yes' }, { label: 'no' }] },
  ],
};

function fakeLive(waiting: string | null) {
  const delivered: QuestionAnswer[] = [];
  const live: LivePhases = {
    running: () => [],
    activeCount: () => 0,
    waitingQuestion: () => waiting,
    deliverAnswer: (_c, qid, a) => {
      if (qid !== waiting) return false;
      delivered.push(a);
      return true;
    },
    sendGuidance: () => false,
    abort: async () => false,
  };
  return { live, delivered };
}

async function parked(store: ReturnType<typeof makeStoreHarness>['store']) {
  await store.create(aWorkUnit({ chunk: 'a', status: 'RUNNING', phase: 'IMPLEMENT', session_id: 's1' }), {
    source: 'api',
  });
  await store.transition(
    'a',
    { type: 'attend', kind: 'QUESTION', reason: 'Question: Which store?', question: QUESTION },
    { source: 'runner' },
  );
}

describe('answer', () => {
  it('hands the answer to a live waiting agent and resumes the unit at once', async () => {
    const { store } = makeStoreHarness();
    await parked(store);
    const { live, delivered } = fakeLive('q-1');
    const unit = await answerItem({ store, live }, 'a', { option: 2, answers: { 'Add a cache?': 'no' } });
    assert.equal(unit.status, 'RUNNING');
    assert.deepEqual(delivered, [{ answers: { 'Which store?': 'Postgres', 'Add a cache?': 'no' } }]);
    const log = await store.attentionLog('a');
    assert.equal(log.at(-1)?.answered_by, 'operator');
  });

  it('stores the answer for a resumed session when no agent is alive', async () => {
    const { store } = makeStoreHarness();
    await parked(store);
    const { live, delivered } = fakeLive(null);
    const unit = await answerItem({ store, live }, 'a', { answer: 'SQLite, no cache' });
    assert.equal(unit.status, 'READY');
    assert.equal(unit.session_id, 's1');
    assert.match(unit.pending_answer ?? '', /Which store\? → SQLite, no cache/);
    assert.equal(delivered.length, 0);
  });

  it('refuses stale, double, unknown and malformed answers, changing nothing', async () => {
    const { store } = makeStoreHarness();
    await parked(store);
    const { live } = fakeLive('q-1');
    const before = await store.get('a');
    const refusals: [string, Parameters<typeof answerItem>[2], string][] = [
      ['a', { answer: 'x', question_id: 'q-0' }, 'conflict'],
      ['a', { option: 3 }, 'invalid_input'],
      ['a', { answers: { 'Not asked?': 'x' } }, 'invalid_input'],
      ['a', { option: 1 }, 'invalid_input'], // second question left unanswered
      ['nope', { answer: 'x' }, 'not_found'],
      ['../x', { answer: 'x' }, 'invalid_name'],
    ];
    for (const [chunk, input, code] of refusals) {
      await assert.rejects(
        answerItem({ store, live }, chunk, input),
        (e) => isOrchError(e) && e.code === code,
        `${chunk} ${JSON.stringify(input)}`,
      );
    }
    assert.deepEqual(await store.get('a'), before);
    await answerItem({ store, live }, 'a', { answer: 'both' });
    await assert.rejects(answerItem({ store, live }, 'a', { answer: 'again' }), (e) =>
      isOrchError(e, 'conflict'),
    );
  });

  it('lets exactly one of ten concurrent answers win', async () => {
    const { store } = makeStoreHarness();
    await parked(store);
    const { live, delivered } = fakeLive('q-1');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => answerItem({ store, live }, 'a', { answer: `answer ${i}` })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(delivered.length, 1);
  });
});
