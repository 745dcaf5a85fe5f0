/** FakeAgentBackend's own conveniences: per-(chunk, phase) scripts, whenStarted, recorded runs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PhaseRequest } from '../../src/ports/agent-backend.js';
import { recordingObserver } from '../support/recording-observer.js';
import { FakeAgentBackend } from './fake-agent-backend.js';

const req = (chunk: string, phase: PhaseRequest['phase'], resume: string | null = null): PhaseRequest => ({
  chunk,
  phase,
  worktree: `/r/.ve/chunks/${chunk}/worktree`,
  hostRoot: '/r',
  baseBranch: 'main',
  resumeSessionId: resume,
  operatorAnswer: null,
  systemNote: null,
  reentryContext: null,
  reviewFeedback: null,
  maxTurns: 5,
  maxBudgetUsd: null,
  model: null,
  osSandbox: 'off',
});

describe('FakeAgentBackend', () => {
  it('uses scripts in order per (chunk, phase), then the default', async () => {
    const fake = new FakeAgentBackend()
      .script('a', 'PLAN', [{ fail: { code: 'api_5xx', retryable: true } }])
      .script('a', 'PLAN', [{ complete: { result_text: 'second', usage: { cost_usd: 0.5 } } }]);
    const run = (chunk: string) => fake.runPhase(req(chunk, 'PLAN'), recordingObserver().observer);
    assert.equal((await run('a')).kind, 'failed');
    const second = await run('a');
    assert.equal(second.kind === 'completed' && second.result_text, 'second');
    assert.equal(second.usage.cost_usd, 0.5);
    const third = await run('a');
    assert.equal(third.kind === 'completed' && third.result_text, 'done');
    assert.equal((await run('b')).kind, 'completed');
    assert.deepEqual(
      fake.runs.map((r) => r.request.chunk),
      ['a', 'a', 'a', 'b'],
    );
  });

  it('lets a test wait for a run to start and hold it with a gate', async () => {
    let open!: () => void;
    const gate = new Promise<void>((ok) => (open = ok));
    const fake = new FakeAgentBackend().script('a', 'IMPLEMENT', [{ wait: gate }, { complete: {} }]);
    const started = fake.whenStarted('a', 'IMPLEMENT');
    const outcome = fake.runPhase(req('a', 'IMPLEMENT'), recordingObserver().observer);
    const run = await started;
    assert.deepEqual(fake.running(), [run]);
    open();
    assert.equal((await outcome).kind, 'completed');
    assert.deepEqual(fake.running(), []);
  });

  it('keeps the resumed session id', async () => {
    const fake = new FakeAgentBackend();
    const outcome = await fake.runPhase(req('a', 'REVIEW', 'sess-1'), recordingObserver().observer);
    assert.equal(outcome.session_id, 'sess-1');
  });
});
