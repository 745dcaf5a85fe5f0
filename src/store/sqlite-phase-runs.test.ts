/** Phase runs read back for budgets: the project's window, the units waiting on a usage limit, the index. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';

const HOUR = 3_600_000;
const run = { session_id: null, tokens_in: 0, tokens_out: 0, error: null };

describe('sqlite phase runs', () => {
  it('sums the cost of the runs that ended within the window, and says when it frees', async () => {
    const { store, clock } = makeStoreHarness();
    await store.create(aWorkUnit({ chunk: 'a' }), { source: 'api' });
    const finish = async (cost_usd: number, outcome = 'completed') => {
      const id = await store.startPhaseRun('a', 'IMPLEMENT', null);
      await store.endPhaseRun(id, { ...run, outcome, cost_usd });
    };
    await finish(6); // t0
    clock.advance(10 * HOUR);
    await finish(3);
    await finish(0, 'aborted');
    const open = await store.startPhaseRun('a', 'REVIEW', null); // still running: no cost yet
    clock.advance(10 * HOUR);
    await finish(4, 'failed:budget');
    const limits = { project_budget_usd: 10, project_budget_window_hours: 24 };
    assert.equal(await store.projectWindow({ ...limits, project_budget_usd: null }), null);
    const w = await store.projectWindow(limits);
    assert.equal(w?.spent_usd, 13);
    assert.equal(w?.frees_at, clock.now() + 4 * HOUR, 'the $6 of 20 hours ago leaves the window in 4 hours');
    clock.advance(5 * HOUR);
    assert.deepEqual(await store.projectWindow(limits), {
      limit_usd: 10,
      window_hours: 24,
      spent_usd: 7,
      frees_at: null,
    });
    await store.endPhaseRun(open, { ...run, outcome: 'completed', cost_usd: 1 });
    assert.equal((await store.projectWindow(limits))?.spent_usd, 8, 'a run counts when it ends');
  });

  it('lists the READY units whose latest run hit a usage limit, soonest reset first', async () => {
    const { store } = makeStoreHarness();
    const at = (h: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + h * HOUR).toISOString();
    const units = [
      aWorkUnit({ chunk: 'late', status: 'READY', next_retry_at: at(3) }),
      aWorkUnit({ chunk: 'soon', status: 'READY', next_retry_at: at(1) }),
      aWorkUnit({ chunk: 'backoff', status: 'READY', next_retry_at: at(1) }),
      aWorkUnit({ chunk: 'recovered', status: 'READY', next_retry_at: at(2) }),
      aWorkUnit({ chunk: 'parked', status: 'NEEDS_ATTENTION', next_retry_at: at(2) }),
    ];
    await store.createMany(units, { source: 'api' });
    const last = async (chunk: string, ...outcomes: string[]) => {
      for (const outcome of outcomes) {
        const id = await store.startPhaseRun(chunk, 'IMPLEMENT', null);
        await store.endPhaseRun(id, { ...run, outcome, cost_usd: 0 });
      }
    };
    await last('late', 'completed', 'failed:usage_limit');
    await last('soon', 'failed:usage_limit');
    await last('backoff', 'failed:overloaded');
    await last('recovered', 'failed:usage_limit', 'failed:api_5xx');
    await last('parked', 'failed:usage_limit');
    assert.deepEqual(await store.usageLimitWaits(), [
      { chunk: 'soon', next_retry_at: at(1) },
      { chunk: 'late', next_retry_at: at(3) },
    ]);
  });

  it('reads the window through an index on the runs’ end time (schema version 8)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 've-runs-')), 'o.db');
    makeStoreHarness(path).store.close();
    const db = new Database(path, { readonly: true });
    const plan = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT ended_at, cost_usd FROM phase_runs WHERE ended_at > ? AND cost_usd > 0 ORDER BY ended_at',
      )
      .all('2026-01-01T00:00:00.000Z') as { detail: string }[];
    db.close();
    assert.ok(
      plan.some((p) => /USING INDEX phase_runs_ended/.test(p.detail)),
      JSON.stringify(plan),
    );
  });
});
