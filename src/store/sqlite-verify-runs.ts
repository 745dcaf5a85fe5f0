/** The verify runs of the landing train, in the store's database (one transaction per method). */
import type { WorkUnit } from '../domain/work-unit.js';
import type { VerifyRun, VerifyRunStore } from '../ports/train.js';
import { fromUnitRow, type Row } from './rows.js';
import type { SqliteDb } from './sqlite-db.js';

export class SqliteVerifyRuns implements VerifyRunStore {
  private readonly db;
  private readonly iso: () => string;

  constructor(private readonly s: SqliteDb) {
    this.db = s.db;
    this.iso = () => s.iso();
  }

  async startVerifyRun(
    run: Pick<
      VerifyRun,
      'chunk' | 'purpose' | 'base_tip' | 'spec_commit' | 'ahead' | 'command' | 'slot' | 'log_path'
    >,
  ): Promise<number> {
    const res = this.db
      .prepare(
        `INSERT INTO verify_runs (chunk, purpose, base_tip, spec_commit, ahead, command, slot, log_path, started_at)
         VALUES (@chunk, @purpose, @base_tip, @spec_commit, @ahead, @command, @slot, @log_path, @started_at)`,
      )
      .run({ ...run, ahead: JSON.stringify(run.ahead), started_at: this.iso() });
    return Number(res.lastInsertRowid);
  }

  async markVerifyRunProcess(
    id: number,
    pid: number,
    pidStart: string | null,
    sandboxed: boolean,
  ): Promise<void> {
    this.db
      .prepare('UPDATE verify_runs SET pid = ?, pid_start = ?, sandboxed = ? WHERE id = ?')
      .run(pid, pidStart, sandboxed ? 1 : 0, id);
  }

  async endVerifyRun(
    id: number,
    end: Pick<VerifyRun, 'outcome' | 'exit_code' | 'duration_ms' | 'tail'>,
  ): Promise<void> {
    this.s.commit(() => {
      this.db
        .prepare(
          `UPDATE verify_runs SET ended_at = @ended_at, outcome = @outcome, exit_code = @exit_code,
           duration_ms = @duration_ms, tail = @tail WHERE id = @id`,
        )
        .run({ ...end, id, ended_at: this.iso() });
      const run = this.db.prepare('SELECT chunk, purpose FROM verify_runs WHERE id = ?').get(id) as
        | Row
        | undefined;
      const none = { value: undefined, events: [] };
      if (run?.purpose !== 'unit' || typeof run.chunk !== 'string' || !end.duration_ms) return none;
      const row = this.db.prepare('SELECT * FROM work_units WHERE chunk = ?').get(run.chunk) as
        | Row
        | undefined;
      if (!row) return none; // the unit was deleted meanwhile: the run stays on record
      const { unit: current } = fromUnitRow(row);
      const next: WorkUnit = {
        ...current,
        verify_ms: current.verify_ms + end.duration_ms,
        updated_at: this.iso(),
        version: current.version + 1,
      };
      this.db
        .prepare(
          'UPDATE work_units SET verify_ms = ?, updated_at = ?, version = ? WHERE chunk = ? AND version = ?',
        )
        .run(next.verify_ms, next.updated_at, next.version, next.chunk, current.version);
      return {
        value: undefined,
        events: [{ type: 'unit_changed', unit: next, previous: current, source: 'train', reason: null }],
      };
    });
  }

  async markVerifyRunFlaky(id: number): Promise<void> {
    this.db.prepare('UPDATE verify_runs SET flaky = 1 WHERE id = ?').run(id);
  }

  async openVerifyRuns(): Promise<VerifyRun[]> {
    return (
      this.db.prepare('SELECT * FROM verify_runs WHERE ended_at IS NULL ORDER BY id').all() as Row[]
    ).map(fromVerifyRunRow);
  }

  async verifyRuns(filter: { chunk?: string; limit?: number }): Promise<VerifyRun[]> {
    const limit = filter.limit ?? 100;
    const rows = (
      filter.chunk === undefined
        ? this.db.prepare('SELECT * FROM verify_runs ORDER BY id DESC LIMIT ?').all(limit)
        : this.db
            .prepare('SELECT * FROM verify_runs WHERE chunk = ? ORDER BY id DESC LIMIT ?')
            .all(filter.chunk, limit)
    ) as Row[];
    return rows.map(fromVerifyRunRow);
  }
}

function fromVerifyRunRow(r: Row): VerifyRun {
  const opt = <T>(v: unknown, f: (x: unknown) => T): T | null =>
    v === null || v === undefined ? null : f(v);
  let ahead: string[] = [];
  try {
    ahead = JSON.parse(String(r.ahead)) as string[];
  } catch (e) {
    throw new Error(`verify run ${String(r.id)} has an unreadable 'ahead' column`, { cause: e });
  }
  return {
    id: Number(r.id),
    chunk: opt(r.chunk, String),
    purpose: String(r.purpose) as VerifyRun['purpose'],
    base_tip: String(r.base_tip),
    spec_commit: String(r.spec_commit),
    ahead,
    command: String(r.command),
    slot: Number(r.slot),
    sandboxed: Number(r.sandboxed) === 1,
    started_at: String(r.started_at),
    ended_at: opt(r.ended_at, String),
    outcome: opt(r.outcome, String) as VerifyRun['outcome'],
    exit_code: opt(r.exit_code, Number),
    duration_ms: opt(r.duration_ms, Number),
    flaky: Number(r.flaky) === 1,
    pid: opt(r.pid, Number),
    pid_start: opt(r.pid_start, String),
    log_path: opt(r.log_path, String),
    tail: opt(r.tail, String),
  };
}
