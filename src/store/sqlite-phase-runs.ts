/** One row per phase execution: start, end, outcome, session, cost and tokens. */
import type { Phase } from '../domain/work-unit.js';
import type { PhaseRun, PhaseRunEnd, PhaseRunStore } from '../ports/store.js';
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
}
