/**
 * Issue 11 §7: what the project's budget window costs each dispatch pass. A store holding N phase
 * runs spread over D days; the scheduler reads the window (`projectWindow`) on every pass. Measured
 * under the limit (one indexed SUM), at the limit (the runs are read to say when it frees), and under
 * the limit without the `phase_runs_ended` index (schema version 8) for comparison.
 * Run: `node dist/bench/budget-window.js [runs=100000] [days=30]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { InProcessEventBus } from '../src/infra/event-bus.js';
import { silentLogger } from '../src/infra/json-logger.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { percentile } from './lib/stats.js';
import { type Row, renderTable } from './lib/table.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const READS = 200;

function openStore(path: string, readonly = false): SqliteStore {
  const clock = { now: () => NOW, at: () => () => {} };
  return new SqliteStore({ path, bus: new InProcessEventBus(() => {}), clock, log: silentLogger, readonly });
}

/** ms per read, median and p95 over READS reads (after one warm-up) */
async function timeReads(
  store: SqliteStore,
  limit: number,
): Promise<{ p50: number; p95: number; spent: number }> {
  const limits = { project_budget_usd: limit, project_budget_window_hours: 24 };
  const first = await store.projectWindow(limits);
  const samples: number[] = [];
  for (let i = 0; i < READS; i++) {
    const t0 = performance.now();
    await store.projectWindow(limits);
    samples.push(performance.now() - t0);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), spent: first?.spent_usd ?? 0 };
}

export async function measureBudgetWindow(runs: number, days: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 've-bench-budget-'));
  try {
    const path = join(dir, 'orchestrator.db');
    openStore(path).close(); // the schema, with its migrations
    const db = new Database(path);
    const insert = db.prepare(
      'INSERT INTO phase_runs (chunk, phase, started_at, ended_at, outcome, cost_usd) VALUES (?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < runs; i++) {
        const at = new Date(NOW - (i / runs) * days * DAY).toISOString();
        insert.run(`c${i % 500}`, 'IMPLEMENT', at, at, 'completed', 0.37);
      }
    })();
    db.close();
    const inWindow = Math.round(runs / days);
    const rows: Row[] = [];
    const row = (what: string, r: { p50: number; p95: number; spent: number }) =>
      rows.push({
        group: '#11 budget',
        measure: `project window read per pass, ${what}`,
        value: r.p50,
        unit: 'ms p50',
        note: `p95 ${r.p95.toFixed(2)} ms; ${runs} runs, ${inWindow} in the 24 h window ($${r.spent.toFixed(2)})`,
      });
    let store = openStore(path);
    row('under the limit', await timeReads(store, 1e9));
    row('limit reached (when it frees)', await timeReads(store, 1));
    store.close();
    const bare = new Database(path);
    bare.exec('DROP INDEX phase_runs_ended');
    bare.close();
    // read-only, so the migrations (and with them the index) are not applied again
    store = openStore(path, true);
    row('under the limit, without the index', await timeReads(store, 1e9));
    store.close();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runs = Number(process.argv[2] ?? 100_000);
  const days = Number(process.argv[3] ?? 30);
  const rows = await measureBudgetWindow(runs, days);
  console.log(`${runs} phase runs over ${days} days, ${READS} reads each\n`);
  console.log(renderTable(rows));
}
