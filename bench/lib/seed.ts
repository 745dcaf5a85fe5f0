/**
 * Seeds a project's `.ve/orchestrator.db` with many work units before the daemon starts, through the
 * real SqliteStore: a long-lived project's mix — mostly merged units, a few waiting on the operator
 * (questions asked while planning) and a few blocked behind those. None of them is dispatchable or
 * has a code branch, so a daemon started on the seeded project sits idle and the API can be timed on a
 * quiet process.
 */
import { mkdirSync } from 'node:fs';
import { projectPaths } from '../../src/config/paths.js';
import type { ChunkName } from '../../src/domain/chunk-name.js';
import { newWorkUnit, type WorkUnit } from '../../src/domain/work-unit.js';
import { InProcessEventBus } from '../../src/infra/event-bus.js';
import { silentLogger } from '../../src/infra/json-logger.js';
import { systemClock } from '../../src/infra/system-clock.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { planningQuestion } from '../../test/support/finished-units.js';
import { chunkName } from './project.js';

/** unit i of n: ~94% DONE, every 33rd NEEDS_ATTENTION (a question), the one after it BLOCKED on it */
function unitAt(i: number, base: number): WorkUnit {
  const chunk = chunkName('seed', i) as ChunkName;
  const at = new Date(base + i * 1000).toISOString();
  const done: WorkUnit = {
    ...newWorkUnit({ chunk, phase: 'COMPLETE', status: 'DONE', explicit_deps: true, now: at }),
    base_branch: 'main',
    session_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    implement_iterations: 1,
    review_iterations: 0,
    cost_usd: 0.4 + (i % 7) * 0.05,
    tokens_in: 120_000 + i,
    tokens_out: 9_000 + i,
    version: 14,
  };
  if (i % 33 === 1) {
    // a question asked while planning: no code branch yet, so the live conflict watch skips it
    return {
      ...done,
      ...planningQuestion(i, at),
      version: 6,
    };
  }
  if (i % 33 === 2) {
    return {
      ...done,
      phase: 'PLAN',
      status: 'BLOCKED',
      blocked_by: [chunkName('seed', i - 1) as ChunkName],
      session_id: null,
      cost_usd: 0,
      tokens_in: 0,
      tokens_out: 0,
      implement_iterations: 0,
      version: 1,
    };
  }
  return done;
}

/** Writes `n` units into `<root>/.ve/orchestrator.db` (created if missing). */
export async function seedUnits(root: string, n: number): Promise<void> {
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
    const base = Date.now() - n * 1000;
    for (let i = 0; i < n; i += 500) {
      const batch = Array.from({ length: Math.min(500, n - i) }, (_, k) => unitAt(i + k, base));
      await store.createMany(batch, { source: 'api', reason: 'seeded by bench' });
    }
  } finally {
    store.close();
  }
}
