/** Mapping between SQLite rows and domain values; the only place that knows column encodings. */
import type { ChunkName } from '../domain/chunk-name.js';
import type { ConflictAnalysis } from '../domain/conflict.js';
import type { AttentionKind, PendingQuestion, Phase, Status, WorkUnit } from '../domain/work-unit.js';

export type Row = Record<string, unknown>;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const json = <T>(v: unknown, fallback: T): T => {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    // a corrupted JSON column reads back as its default instead of breaking every listing
    return fallback;
  }
};

export const UNIT_COLUMNS = [
  'chunk',
  'phase',
  'status',
  'blocked_by',
  'priority',
  'explicit_deps',
  'worktree',
  'base_branch',
  'session_id',
  'pending_answer',
  'pending_nudge',
  'reentry_context',
  'attention_reason',
  'attention_kind',
  'attention_at',
  'question',
  'api_retry_count',
  'next_retry_at',
  'review_iterations',
  'nudge_count',
  'turn_extensions',
  'phase_start_tip',
  'implement_iterations',
  'merge_conflict_retries',
  'retain_worktree',
  'finalizing',
  'train_seq',
  'verify_retries',
  'land_unverified',
  'verify_ms',
  'cost_usd',
  'tokens_in',
  'tokens_out',
  'created_at',
  'updated_at',
  'version',
] as const;

export function fromUnitRow(r: Row): WorkUnit {
  return {
    chunk: String(r.chunk) as ChunkName,
    phase: String(r.phase) as Phase,
    status: String(r.status) as Status,
    blocked_by: json<ChunkName[]>(r.blocked_by, []),
    priority: num(r.priority),
    explicit_deps: num(r.explicit_deps) === 1,
    worktree: str(r.worktree),
    base_branch: str(r.base_branch),
    session_id: str(r.session_id),
    pending_answer: str(r.pending_answer),
    pending_nudge: str(r.pending_nudge),
    reentry_context: str(r.reentry_context),
    attention_reason: str(r.attention_reason),
    attention_kind: str(r.attention_kind) as AttentionKind | null,
    attention_at: str(r.attention_at),
    question: json<PendingQuestion | null>(r.question, null),
    api_retry_count: num(r.api_retry_count),
    next_retry_at: str(r.next_retry_at),
    review_iterations: num(r.review_iterations),
    nudge_count: num(r.nudge_count),
    turn_extensions: num(r.turn_extensions),
    phase_start_tip: str(r.phase_start_tip),
    implement_iterations: num(r.implement_iterations),
    merge_conflict_retries: num(r.merge_conflict_retries),
    retain_worktree: num(r.retain_worktree) === 1,
    finalizing: num(r.finalizing) === 1,
    train_seq: r.train_seq === null || r.train_seq === undefined ? null : num(r.train_seq),
    verify_retries: num(r.verify_retries),
    land_unverified: num(r.land_unverified) === 1,
    verify_ms: num(r.verify_ms),
    cost_usd: num(r.cost_usd),
    tokens_in: num(r.tokens_in),
    tokens_out: num(r.tokens_out),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    version: num(r.version),
  };
}

export function toUnitRow(u: WorkUnit): Row {
  return {
    ...u,
    blocked_by: JSON.stringify(u.blocked_by),
    explicit_deps: u.explicit_deps ? 1 : 0,
    retain_worktree: u.retain_worktree ? 1 : 0,
    finalizing: u.finalizing ? 1 : 0,
    land_unverified: u.land_unverified ? 1 : 0,
    question: u.question === null ? null : JSON.stringify(u.question),
  };
}

export function fromConflictRow(r: Row): ConflictAnalysis {
  return {
    chunk_a: String(r.chunk_a),
    chunk_b: String(r.chunk_b),
    verdict: String(r.verdict) as ConflictAnalysis['verdict'],
    confidence: num(r.confidence),
    stage: String(r.stage) as ConflictAnalysis['stage'],
    reason: String(r.reason),
    overlapping_files: json<string[]>(r.overlapping_files, []),
    overlapping_symbols: json<string[]>(r.overlapping_symbols, []),
    override: str(r.override) as ConflictAnalysis['override'],
    created_at: String(r.created_at),
  };
}

export function toConflictRow(a: ConflictAnalysis): Row {
  return {
    ...a,
    overlapping_files: JSON.stringify(a.overlapping_files),
    overlapping_symbols: JSON.stringify(a.overlapping_symbols),
  };
}
