/**
 * A long-lived project's store, written through the real SqliteStore before the daemon starts: many
 * finished units and a few unfinished ones no agent picks up (a question asked while planning, and a
 * unit blocked behind it), so a daemon on it sits idle. For the dashboard tests and bench.
 */
import { mkdirSync } from 'node:fs';
import { projectPaths } from '../../src/config/paths.js';
import type { WorkUnit } from '../../src/domain/work-unit.js';
import { InProcessEventBus } from '../../src/infra/event-bus.js';
import { silentLogger } from '../../src/infra/json-logger.js';
import { systemClock } from '../../src/infra/system-clock.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { aWorkUnit } from '../builders.js';

/** finished unit i: done_00000 finished first, the highest number last */
export const doneChunk = (i: number) => `done_${String(i).padStart(5, '0')}`;
export const askChunk = (i: number) => `ask_${String(i).padStart(3, '0')}`;
export const waitChunk = (i: number) => `wait_${String(i).padStart(3, '0')}`;

function finished(i: number, base: number): WorkUnit {
  // created in the reverse order of finishing, so created order and recent order differ
  return aWorkUnit({
    chunk: doneChunk(i),
    status: 'DONE',
    phase: 'COMPLETE',
    created_at: new Date(base - i * 1000).toISOString(),
    updated_at: new Date(base + i * 1000).toISOString(),
    base_branch: 'main',
    cost_usd: 0.25,
    tokens_in: 120_000,
    tokens_out: 9_000,
    version: 14,
  });
}

/** The parked planning question both the seeded stores ask: the fields of a unit waiting on it. */
export function planningQuestion(i: number, at: string) {
  const question = 'Should the retry budget be per unit or global?';
  return {
    phase: 'PLAN',
    status: 'NEEDS_ATTENTION',
    attention_kind: 'QUESTION',
    attention_reason: `Question: ${question}`,
    attention_at: at,
    question: {
      id: `q-${i}`,
      phase: 'PLAN',
      asked_at: at,
      questions: [
        {
          question,
          header: 'Retry budget',
          multiSelect: false,
          options: [
            { label: 'Per unit', description: 'each unit has its own budget' },
            { label: 'Global', description: 'one budget shared by all units' },
          ],
        },
      ],
    },
  } satisfies Partial<WorkUnit>;
}

function waiting(i: number, base: number): WorkUnit[] {
  const at = new Date(base).toISOString();
  return [
    aWorkUnit({ chunk: askChunk(i), created_at: at, updated_at: at, ...planningQuestion(i, at) }),
    aWorkUnit({
      chunk: waitChunk(i),
      status: 'BLOCKED',
      created_at: at,
      updated_at: at,
      blocked_by: [askChunk(i)],
    }),
  ];
}

/** Writes `done` finished units and `pairs` × (question, blocked) into `<root>/.ve/orchestrator.db`. */
export async function seedFinishedUnits(root: string, opts: { done: number; pairs: number }): Promise<void> {
  const paths = projectPaths(root);
  mkdirSync(paths.stateDir, { recursive: true });
  const store = new SqliteStore({
    path: paths.db,
    bus: new InProcessEventBus((error) => {
      throw error;
    }),
    clock: systemClock,
    log: silentLogger,
  });
  try {
    const base = Date.now() - opts.done * 1000;
    const units = [
      ...Array.from({ length: opts.done }, (_, i) => finished(i, base)),
      ...Array.from({ length: opts.pairs }, (_, i) => waiting(i, base)).flat(),
    ];
    for (let i = 0; i < units.length; i += 500)
      await store.createMany(units.slice(i, i + 500), { source: 'api', reason: 'seeded' });
  } finally {
    store.close();
  }
}
