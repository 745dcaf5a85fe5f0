/**
 * One row per phase execution: start, end, outcome, session, cost and tokens; read back per unit
 * (history), over the project's budget window, and for the units that wait on a usage limit.
 */
import {
  type BudgetLimits,
  type ProjectWindow,
  projectReached,
  projectWindow,
  type RunCost,
  windowStart,
} from '../domain/budget.js';
import type { Phase } from '../domain/work-unit.js';
import {
  failedOutcome,
  type PhaseRun,
  type PhaseRunEnd,
  type PhaseRunStore,
  type UsageLimitWait,
} from '../ports/store.js';
import { fromPhaseRunRow, type Row } from './rows.js';
import type { SqliteDb } from './sqlite-db.js';

export class SqlitePhaseRuns implements PhaseRunStore {
  constructor(private readonly s: SqliteDb) {}

  async startPhaseRun(chunk: string, phase: Phase, sessionId: string | null): Promise<number> {
    const res = this.s
      .stmt('INSERT INTO phase_runs (chunk, phase, started_at, session_id) VALUES (?, ?, ?, ?)')
      .run(chunk, phase, this.s.iso(), sessionId);
    return Number(res.lastInsertRowid);
  }

  async endPhaseRun(id: number, end: PhaseRunEnd): Promise<void> {
    this.s
      .stmt(
        `UPDATE phase_runs SET ended_at = @ended_at, outcome = @outcome, session_id = COALESCE(@session_id, session_id),
         cost_usd = @cost_usd, tokens_in = @tokens_in, tokens_out = @tokens_out, error = @error WHERE id = @id`,
      )
      .run({ ...end, id, ended_at: this.s.iso() });
  }

  async phaseRuns(chunk: string): Promise<PhaseRun[]> {
    const rows = this.s.stmt('SELECT * FROM phase_runs WHERE chunk = ? ORDER BY id').all(chunk) as Row[];
    return rows.map(fromPhaseRunRow);
  }

  async projectWindow(
    limits: Pick<BudgetLimits, 'project_budget_usd' | 'project_budget_window_hours'>,
  ): Promise<ProjectWindow | null> {
    if (limits.project_budget_usd === null) return null;
    const now = this.s.now();
    const since = new Date(windowStart(limits, now)).toISOString();
    // every pass asks: under the limit, the sum is all it needs; each run only once it is reached
    const sum = this.s
      .stmt('SELECT TOTAL(cost_usd) AS usd FROM phase_runs WHERE ended_at > ? AND cost_usd > 0')
      .get(since) as Row;
    const under: ProjectWindow = {
      limit_usd: limits.project_budget_usd,
      window_hours: limits.project_budget_window_hours,
      spent_usd: Number(sum.usd),
      frees_at: null,
    };
    return projectReached(under) === null ? under : projectWindow(this.costsSince(since), limits, now);
  }

  /** ISO timestamps compare as text, so the `phase_runs_ended` index serves the window's range */
  private costsSince(since: string): RunCost[] {
    const rows = this.s
      .stmt('SELECT ended_at, cost_usd FROM phase_runs WHERE ended_at > ? AND cost_usd > 0 ORDER BY ended_at')
      .all(since) as Row[];
    return rows.map((r) => ({ ended_at: String(r.ended_at), cost_usd: Number(r.cost_usd) }));
  }

  async usageLimitWaits(): Promise<UsageLimitWait[]> {
    const rows = this.s
      .stmt(
        `SELECT w.chunk, w.next_retry_at FROM work_units w
         WHERE w.status = 'READY' AND w.next_retry_at IS NOT NULL
           AND (SELECT p.outcome FROM phase_runs p WHERE p.chunk = w.chunk ORDER BY p.id DESC LIMIT 1) = ?
         ORDER BY w.next_retry_at, w.chunk`,
      )
      .all(failedOutcome('usage_limit')) as Row[];
    return rows.map((r) => ({ chunk: String(r.chunk), next_retry_at: String(r.next_retry_at) }));
  }
}
