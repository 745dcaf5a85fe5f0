/** The attention log: every item raised, and its answer (who, when). */
import type { AttentionLogEntry, AttentionLogStore, RaisedAttention } from '../ports/store.js';
import { fromAttentionLogRow, type Row } from './rows.js';
import type { SqliteDb } from './sqlite-db.js';

/** Inserts a raised item; also called inside a unit's `attend` transition, so both commit together. */
export function insertAttention(s: SqliteDb, entry: RaisedAttention): void {
  s.stmt(
    'INSERT INTO attention_log (chunk, kind, question_id, phase, raised, raised_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    entry.chunk,
    entry.kind,
    entry.question_id,
    entry.phase,
    JSON.stringify({ reason: entry.reason, question: entry.question ?? null }),
    s.iso(),
  );
}

export class SqliteAttentionLog implements AttentionLogStore {
  constructor(private readonly s: SqliteDb) {}

  async recordAttentionRaised(entry: RaisedAttention): Promise<void> {
    insertAttention(this.s, entry);
  }

  async recordAttentionAnswered(entry: {
    chunk: string;
    question_id: string | null;
    answer: string;
    answered_by: string;
  }): Promise<void> {
    const { s } = this;
    s.commit(() => {
      const open = s
        .stmt(
          `SELECT id FROM attention_log WHERE chunk = ? AND answered_at IS NULL
           AND (question_id IS ? OR ? IS NULL) ORDER BY id DESC LIMIT 1`,
        )
        .get(entry.chunk, entry.question_id, entry.question_id) as Row | undefined;
      if (open) {
        s.stmt('UPDATE attention_log SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?').run(
          entry.answer,
          entry.answered_by,
          s.iso(),
          open.id,
        );
      } else {
        s.stmt(
          'INSERT INTO attention_log (chunk, kind, question_id, answer, answered_by, raised_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(entry.chunk, 'ANSWER', entry.question_id, entry.answer, entry.answered_by, s.iso(), s.iso());
      }
      return { value: undefined, events: [] };
    });
  }

  async attentionLog(chunk?: string): Promise<AttentionLogEntry[]> {
    const rows = (
      chunk
        ? this.s.stmt('SELECT * FROM attention_log WHERE chunk = ? ORDER BY id').all(chunk)
        : this.s.stmt('SELECT * FROM attention_log ORDER BY id').all()
    ) as Row[];
    return rows.map(fromAttentionLogRow);
  }
}
