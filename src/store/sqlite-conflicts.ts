/** The conflict oracle's analyses of chunk pairs, and the operator's overrides (which survive invalidation). */
import { type ConflictAnalysis, sortedPair, type Verdict } from '../domain/conflict.js';
import type { ConflictStore } from '../ports/store.js';
import type { ReadProblems } from './read-problems.js';
import { fromConflictRow, type Row, toConflictRow } from './rows.js';
import type { SqliteDb } from './sqlite-db.js';

const UPSERT = `INSERT OR REPLACE INTO conflict_analyses (chunk_a, chunk_b, verdict, confidence, stage, reason,
  overlapping_files, overlapping_symbols, override, created_at) VALUES (@chunk_a, @chunk_b, @verdict, @confidence,
  @stage, @reason, @overlapping_files, @overlapping_symbols, @override, @created_at)`;
const BY_PAIR = 'SELECT * FROM conflict_analyses WHERE chunk_a = ? AND chunk_b = ?';

export class SqliteConflicts implements ConflictStore {
  constructor(
    private readonly s: SqliteDb,
    private readonly problems: ReadProblems,
  ) {}

  async upsertConflict(analysis: ConflictAnalysis): Promise<void> {
    const [a, b] = sortedPair(analysis.chunk_a, analysis.chunk_b);
    const row = toConflictRow({ ...analysis, chunk_a: a, chunk_b: b });
    this.s.commit(() => {
      const prev = this.s
        .stmt('SELECT override FROM conflict_analyses WHERE chunk_a = ? AND chunk_b = ?')
        .get(a, b) as Row | undefined;
      const withOverride = { ...row, override: row.override ?? prev?.override ?? null };
      this.s.stmt(UPSERT).run(withOverride);
      return {
        value: undefined,
        events: [{ type: 'conflict_changed', analysis: this.decode(withOverride) }],
      };
    });
  }

  async getConflict(x: string, y: string): Promise<ConflictAnalysis | undefined> {
    const row = this.s.stmt(BY_PAIR).get(...sortedPair(x, y)) as Row | undefined;
    return row ? this.decode(row) : undefined;
  }

  async listConflicts(filter?: { chunk?: string; verdict?: Verdict }): Promise<ConflictAnalysis[]> {
    const rows = this.s
      .stmt('SELECT * FROM conflict_analyses ORDER BY created_at DESC, chunk_a, chunk_b')
      .all() as Row[];
    return rows
      .map((r) => this.decode(r))
      .filter((c) => !filter?.chunk || c.chunk_a === filter.chunk || c.chunk_b === filter.chunk)
      .filter((c) => !filter?.verdict || (c.override ?? c.verdict) === filter.verdict);
  }

  async invalidateConflicts(chunk: string): Promise<void> {
    this.s.commit(() => {
      const where = 'WHERE (chunk_a = ? OR chunk_b = ?) AND override IS NULL';
      const rows = this.s
        .stmt(`SELECT chunk_a, chunk_b FROM conflict_analyses ${where} ORDER BY chunk_a, chunk_b`)
        .all(chunk, chunk) as Row[];
      this.s.stmt(`DELETE FROM conflict_analyses ${where}`).run(chunk, chunk);
      const pairs = rows.map((r): [string, string] => [String(r.chunk_a), String(r.chunk_b)]);
      // dashboards drop exactly these pairs; an invalidation that dropped nothing changed nothing
      return {
        value: undefined,
        events: pairs.length > 0 ? [{ type: 'conflicts_invalidated', chunk, pairs }] : [],
      };
    });
  }

  async setConflictOverride(x: string, y: string, verdict: Verdict): Promise<ConflictAnalysis> {
    const [a, b] = sortedPair(x, y);
    return this.s.commit(() => {
      const existing = this.s.stmt(BY_PAIR).get(a, b) as Row | undefined;
      const base: ConflictAnalysis = existing
        ? this.decode(existing)
        : {
            chunk_a: a,
            chunk_b: b,
            verdict,
            confidence: 1,
            stage: 'PROPOSED',
            reason: 'decided by the operator',
            overlapping_files: [],
            overlapping_symbols: [],
            override: null,
            created_at: this.s.iso(),
          };
      const next = { ...base, override: verdict };
      this.s.stmt(UPSERT).run(toConflictRow(next));
      return { value: next, events: [{ type: 'conflict_changed', analysis: next }] };
    });
  }

  /** an unreadable file or symbol list reads as empty: it only explains a verdict, so it is logged */
  private decode(row: Row): ConflictAnalysis {
    const { analysis, unreadable } = fromConflictRow(row);
    this.problems.conflict(analysis, unreadable);
    return analysis;
  }
}
