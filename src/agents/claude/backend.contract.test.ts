/** ClaudeAgentBackend + the real SDK + the fake CLI against the AgentBackend contract. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTRACT_QUESTION,
  CONTRACT_REVIEW,
  type ContractScenario,
  describeAgentBackend,
} from '../../../test/contracts/agent-backend.contract.js';
import { aPhaseRequest, fakeClaudePath, makeUnitRepo } from '../../../test/support/agent-fixtures.js';
import { silentLogger } from '../../infra/json-logger.js';
import { ClaudeAgentBackend } from './backend.js';

const SCRIPTS: Record<ContractScenario, unknown[]> = {
  success: [{ text: 'working' }, { result: 'done' }],
  question: [{ ask: CONTRACT_QUESTION }, { result: 'answer was {{last}}' }],
  transient_error: [{ error: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error"}}' }],
  hang: [{ hang: true }],
  guidance: [{ awaitUser: true }, { result: 'got {{last}}' }],
  review: [{ review: CONTRACT_REVIEW }, { result: 'reviewed' }],
};

describeAgentBackend('ClaudeAgentBackend with the fake CLI', async (scenario) => {
  const repo = makeUnitRepo();
  const script = join(repo.root, 'script.json');
  writeFileSync(script, JSON.stringify(SCRIPTS[scenario]));
  const backend = new ClaudeAgentBackend({
    pathToClaudeCodeExecutable: fakeClaudePath(),
    env: { FAKE_CLAUDE_SCRIPT: script },
    log: silentLogger,
  });
  return { backend, request: aPhaseRequest(repo), cleanup: () => repo.cleanup() };
});
