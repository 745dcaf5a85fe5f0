/**
 * The phase runs in the store's database: one row per agent phase execution with its outcome, cost
 * and tokens; read back per unit (history), over the project's budget window, and for the units that
 * wait on a usage limit.
 */
import type Database from 'better-sqlite3';
import type { RunCost } from '../domain/budget.js';
import type { Phase } from '../domain/work-unit.js';
import { failedOutcome, type PhaseRun, type PhaseRunEnd, type UsageLimitWait } from '../ports/store.js';
import { fromPhaseRunRow, type Row } from './rows.js';

export class SqlitePhaseRuns {
  constructor(
    private readonly db: Database.Database,
    private readonly iso: () => string,
  ) {}

  start(chunk: string, phase: Phase, sessionId: string | null): number {
    const res = this.db
      .prepare('INSERT INTO phase_runs (chunk, phase, started_at, session_id) VALUES (?, ?, ?, ?)')
      .run(chunk, phase, this.iso(), sessionId);
    return Number(res.lastInsertRowid);
  }

  end(id: number, end: PhaseRunEnd): void {
    this.db
      .prepare(
        `UPDATE phase_runs SET ended_at = @ended_at, outcome = @outcome, session_id = COALESCE(@session_id, session_id),
         cost_usd = @cost_usd, tokens_in = @tokens_in, tokens_out = @tokens_out, error = @error WHERE id = @id`,
      )
      .run({ ...end, id, ended_at: this.iso() });
  }

  of(chunk: string): PhaseRun[] {
    const rows = this.db.prepare('SELECT * FROM phase_runs WHERE chunk = ? ORDER BY id').all(chunk) as Row[];
    return rows.map(fromPhaseRunRow);
  }

  /** ISO timestamps compare as text, so the `phase_runs_ended` index serves the window's range */
  costsSince(since: string): RunCost[] {
    const rows = this.db
      .prepare(
        'SELECT ended_at, cost_usd FROM phase_runs WHERE ended_at > ? AND cost_usd > 0 ORDER BY ended_at',
      )
      .all(since) as Row[];
    return rows.map((r) => ({ ended_at: String(r.ended_at), cost_usd: Number(r.cost_usd) }));
  }

  usageLimitWaits(): UsageLimitWait[] {
    const rows = this.db
      .prepare(
        `SELECT w.chunk, w.next_retry_at FROM work_units w
         WHERE w.status = 'READY' AND w.next_retry_at IS NOT NULL
           AND (SELECT p.outcome FROM phase_runs p WHERE p.chunk = w.chunk ORDER BY p.id DESC LIMIT 1) = ?
         ORDER BY w.next_retry_at, w.chunk`,
      )
      .all(failedOutcome('usage_limit')) as Row[];
    return rows.map((r) => ({ chunk: String(r.chunk), next_retry_at: String(r.next_retry_at) }));
  }
}
