/**
 * The project the dashboard tests and bench run against: a real git repo with chunk documents, and a
 * fake-claude script per chunk (a question, a failure, agents that keep working) so a real daemon
 * raises real attention items. Chunks named `g_*`/`x_*` wait on `ask_store`, which never finishes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeClaudePath } from './agent-fixtures.js';
import { writeChunk } from './chunk-docs.js';
import { makeTestRepo, type TestRepo } from './git-repo.js';

export const QUESTION = 'Which database should the store use?';

/** Chunks whose agents the script drives; every other chunk's agent just keeps working. */
const SCRIPT = {
  byPrompt: [
    {
      match: 'ask_store',
      steps: [
        { text: 'Reading the goal. I will look at the storage layer first.' },
        { tool: 'Write', input: { file_path: 'src/store.ts', content: 'export const store = "sqlite";\n' } },
        {
          ask: [
            {
              question: QUESTION,
              header: 'Store',
              multiSelect: false,
              options: [
                { label: 'SQLite', description: 'one file, no server' },
                { label: 'Postgres', description: 'needs a server' },
              ],
            },
          ],
        },
        { sleep: 200 },
        { text: 'Writing the **adapter** now, in `src/store.ts`.' },
        { tool: 'Bash', input: { command: 'ls src' } },
        { hang: true },
      ],
    },
    {
      match: 'e_fail',
      steps: [
        { text: 'Trying the migration.' },
        { error: 'Tool execution failed: the migration tool crashed', subtype: 'error_during_execution' },
      ],
    },
  ],
  default: [
    { text: 'Working on it.' },
    { tool: 'Bash', input: { command: 'git status --short' } },
    { hang: true },
  ],
};

export interface Scenario {
  repo: TestRepo;
  /** environment for the daemon: the fake CLI and its script */
  env: Record<string, string>;
  cleanup(): void;
}

/** @param extra more chunks waiting on ask_store (the bench adds hundreds) */
export function makeScenario(extra: string[] = []): Scenario {
  const repo = makeTestRepo();
  const blocked = ['g_move', 'g_wait', 'x_evil', 'x_control', ...extra];
  writeChunk(
    repo.root,
    'ask_store',
    { goal: 'Give the service a persistent **store** so restarts keep data.', depends_on: [] },
    null,
  );
  writeChunk(repo.root, 'e_fail', { goal: 'Migrate the settings table.', depends_on: [] }, null);
  for (const name of blocked) {
    writeChunk(
      repo.root,
      name,
      { goal: `Follow-up work (${name}) once the store exists.`, depends_on: ['ask_store'] },
      null,
    );
  }
  // two chunks the oracle cannot decide on: one touches a symbol, the other the whole file
  writeChunk(
    repo.root,
    'c_api',
    { goal: 'Add the `route` handler for health checks.', criteria: ['GET /health answers 200'] },
    {
      approach: 'A new route.',
      steps: ['Location: src/api.ts#route', 'Location: src/store.ts#Store::write'],
    },
  );
  writeChunk(
    repo.root,
    'c_file',
    { goal: 'Reorganise the API module into smaller files.' },
    { approach: 'Split the module.', steps: ['Location: src/api.ts'] },
  );
  repo.git(['add', '-A']);
  repo.git(['commit', '-q', '-m', 'chunks']);
  const script = join(repo.root, '.git', 'fake-claude-script.json');
  writeFileSync(script, JSON.stringify(SCRIPT));
  return {
    repo,
    env: {
      VE_CLAUDE_PATH: fakeClaudePath(),
      FAKE_CLAUDE_SCRIPT: script,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
    cleanup: () => repo.cleanup(),
  };
}
