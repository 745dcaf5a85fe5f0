/**
 * The AgentBackend contract: one suite, run against every implementation (FakeAgentBackend, and
 * ClaudeAgentBackend driving the real SDK with the fake CLI). A factory scripts each scenario in its
 * own way; the suite only looks at what the port promises.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { QuestionItem } from '../../src/domain/work-unit.js';
import type {
  AgentBackend,
  PhaseOutcome,
  PhaseRequest,
  ReviewDecision,
} from '../../src/ports/agent-backend.js';
import { answerWith, recordingObserver } from '../support/recording-observer.js';

/**
 * What the backend under test must be scripted to do:
 * - success: complete with result text `done`
 * - question: ask CONTRACT_QUESTION, then complete with a result text containing the answer
 * - transient_error: end with an overloaded (529) API error
 * - hang: run until aborted
 * - guidance: wait for one guidance message, then complete with a result text containing it
 * - review: record CONTRACT_REVIEW through the review tool, then complete
 */
export type ContractScenario = 'success' | 'question' | 'transient_error' | 'hang' | 'guidance' | 'review';

export const CONTRACT_QUESTION: QuestionItem[] = [
  {
    question: 'Which storage should the cache use?',
    header: 'Storage',
    multiSelect: false,
    options: [
      { label: 'SQLite', description: 'one file' },
      { label: 'Memory', description: 'lost on restart' },
    ],
  },
];

export const CONTRACT_REVIEW: ReviewDecision = {
  decision: 'FEEDBACK',
  summary: 'Works, but the error path is untested.',
  issues: [
    { location: 'src/cache.ts#get', concern: 'no test for a miss', suggestion: 'add one', blocking: true },
  ],
};

export interface ContractHarness {
  backend: AgentBackend;
  /** a request for the scenario (the suite switches `phase` to REVIEW for `review`) */
  request: PhaseRequest;
  cleanup(): Promise<void> | void;
}

export function describeAgentBackend(
  name: string,
  make: (scenario: ContractScenario) => Promise<ContractHarness>,
): void {
  describe(`AgentBackend contract: ${name}`, () => {
    let harness: ContractHarness | null = null;
    const setup = async (scenario: ContractScenario) => {
      harness = await make(scenario);
      return harness;
    };
    afterEach(async () => {
      await harness?.cleanup();
      harness = null;
    });

    it('completes with a session, a result event and usage', async () => {
      const h = await setup('success');
      const rec = recordingObserver();
      const outcome = await h.backend.runPhase(h.request, rec.observer);
      const done = expectKind(outcome, 'completed');
      assert.equal(done.result_text, 'done');
      assert.equal(typeof done.session_id, 'string');
      assert.ok(done.usage.cost_usd >= 0 && done.usage.tokens_in >= 0 && done.usage.tokens_out >= 0);
      assert.equal(done.review, null);
      const result = rec.events.find((e) => e.type === 'result');
      assert.ok(result && result.type === 'result' && !result.is_error);
      assert.ok(rec.events.some((e) => e.type === 'session'));
    });

    it('hands a question to the operator and gives the answer to the agent', async () => {
      const h = await setup('question');
      const rec = recordingObserver({ answer: answerWith('Memory') });
      const outcome = await h.backend.runPhase(h.request, rec.observer);
      const done = expectKind(outcome, 'completed');
      assert.deepEqual(rec.questions, [CONTRACT_QUESTION]);
      assert.ok(
        rec.events.some(
          (e) => e.type === 'question' && e.questions[0]?.question === CONTRACT_QUESTION[0]?.question,
        ),
      );
      assert.match(done.result_text ?? '', /Memory/);
    });

    it('ends with aborted when the phase is aborted while a question waits', async () => {
      const h = await setup('question');
      const rec = recordingObserver(); // nobody answers
      const running = h.backend.runPhase(h.request, rec.observer);
      await rec.next((e) => e.type === 'question');
      rec.abort();
      expectKind(await running, 'aborted');
    });

    it('classifies an overloaded API error as a retryable failure', async () => {
      const h = await setup('transient_error');
      const outcome = await h.backend.runPhase(h.request, recordingObserver().observer);
      const failed = expectKind(outcome, 'failed');
      assert.equal(failed.failure.retryable, true);
      assert.ok(['overloaded', 'api_5xx'].includes(failed.failure.code), failed.failure.code);
    });

    it('ends with aborted, keeping the session id, when the signal fires mid-run', async () => {
      const h = await setup('hang');
      const rec = recordingObserver();
      const running = h.backend.runPhase(h.request, rec.observer);
      const session = await rec.next((e) => e.type === 'session');
      rec.abort();
      const aborted = expectKind(await running, 'aborted');
      assert.equal(session.type === 'session' && session.session_id, aborted.session_id);
    });

    it('does not start when the signal has already fired', async () => {
      const h = await setup('success');
      const rec = recordingObserver();
      rec.abort();
      expectKind(await h.backend.runPhase(h.request, rec.observer), 'aborted');
      assert.equal(rec.events.length, 0);
    });

    it('delivers guidance into the running session', async () => {
      const h = await setup('guidance');
      const rec = recordingObserver();
      const running = h.backend.runPhase(h.request, rec.observer);
      await rec.next((e) => e.type === 'session');
      assert.equal(rec.guide('prefer small commits'), true);
      const done = expectKind(await running, 'completed');
      assert.match(done.result_text ?? '', /prefer small commits/);
      assert.ok(rec.events.some((e) => e.type === 'guidance' && e.text === 'prefer small commits'));
    });

    it('captures the ReviewDecision of a REVIEW phase', async () => {
      const h = await setup('review');
      const outcome = await h.backend.runPhase(
        { ...h.request, phase: 'REVIEW' },
        recordingObserver().observer,
      );
      assert.deepEqual(expectKind(outcome, 'completed').review, CONTRACT_REVIEW);
    });
  });
}

export function expectKind<K extends PhaseOutcome['kind']>(
  outcome: PhaseOutcome,
  kind: K,
): Extract<PhaseOutcome, { kind: K }> {
  assert.equal(outcome.kind, kind, `expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<PhaseOutcome, { kind: K }>;
}
