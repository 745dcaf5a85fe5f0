/** Keeps FakeAgentBackend honest: it passes the same contract as ClaudeAgentBackend. */

import type { PhaseRequest } from '../../src/ports/agent-backend.js';
import { FakeAgentBackend, type FakeStep } from '../fakes/fake-agent-backend.js';
import {
  CONTRACT_QUESTION,
  CONTRACT_REVIEW,
  type ContractScenario,
  describeAgentBackend,
} from './agent-backend.contract.js';

const STEPS: Record<ContractScenario, FakeStep[]> = {
  success: [{ text: 'working' }],
  question: [{ ask: CONTRACT_QUESTION }],
  transient_error: [{ fail: { code: 'overloaded', retryable: true, message: 'API Error: 529 overloaded' } }],
  hang: [{ hang: true }],
  guidance: [{ awaitGuidance: true }],
  review: [{ review: CONTRACT_REVIEW }],
};

const request: PhaseRequest = {
  chunk: 'feat',
  phase: 'IMPLEMENT',
  worktree: '/nowhere/.ve/chunks/feat/worktree',
  hostRoot: '/nowhere',
  baseBranch: 'main',
  resumeSessionId: null,
  operatorAnswer: null,
  systemNote: null,
  reentryContext: null,
  reviewFeedback: null,
  maxTurns: 10,
  maxBudgetUsd: null,
  model: null,
  osSandbox: 'off',
};

describeAgentBackend('FakeAgentBackend', async (scenario) => {
  const backend = new FakeAgentBackend().setDefault(STEPS[scenario]);
  return { backend, request, cleanup: () => {} };
});
