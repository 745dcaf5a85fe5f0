/** Mapping between SQLite rows and domain values; the only place that knows column encodings. */
import type { ChunkName } from '../domain/chunk-name.js';
import type { ConflictAnalysis } from '../domain/conflict.js';
import type { UnitEvent } from '../domain/transitions.js';
import type { AttentionKind, PendingQuestion, Phase, Status, WorkUnit } from '../domain/work-unit.js';
import type { AttentionLogEntry, PhaseRun, StatusLogEntry } from '../ports/store.js';
import { excerpt } from '../shared/text.js';

export type Row = Record<string, unknown>;

/** A stored value this version cannot read: the column, its text, and why. */
export interface UnreadableValue {
  column: string;
  raw: string;
  error: string;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isQuestion = (v: unknown): boolean =>
  v === null ||
  (typeof v === 'object' &&
    typeof (v as PendingQuestion).id === 'string' &&
    Array.isArray((v as PendingQuestion).questions));

/**
 * Reads a JSON column. NULL is the fallback; text that does not parse, or parses to the wrong shape,
 * is the fallback too but is added to `unreadable`, so the caller decides what it costs (never silent).
 */
function json<T>(
  r: Row,
  column: string,
  fallback: T,
  valid: (v: unknown) => boolean,
  unreadable: UnreadableValue[],
): T {
  const v = r[column];
  if (typeof v !== 'string') return fallback;
  try {
    const parsed: unknown = JSON.parse(v);
    if (valid(parsed)) return parsed as T;
    unreadable.push({ column, raw: v, error: 'not the expected shape' });
  } catch (e) {
    unreadable.push({ column, raw: v, error: e instanceof Error ? e.message : String(e) });
  }
  return fallback;
}

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
  'tests_accepted',
  'verify_ms',
  'host',
  'host_epoch',
  'host_token',
  'fetch_pending',
  'fetched_at',
  'cost_usd',
  'tokens_in',
  'tokens_out',
  'created_at',
  'updated_at',
  'version',
] as const;

/** A unit as stored, with unreadable JSON columns at their defaults and listed. */
export interface DecodedUnit {
  unit: WorkUnit;
  unreadable: UnreadableValue[];
}

export function fromUnitRow(r: Row): DecodedUnit {
  const unreadable: UnreadableValue[] = [];
  const unit: WorkUnit = {
    chunk: String(r.chunk) as ChunkName,
    phase: String(r.phase) as Phase,
    status: String(r.status) as Status,
    blocked_by: json<ChunkName[]>(r, 'blocked_by', [], isStringList, unreadable),
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
    question: json<PendingQuestion | null>(r, 'question', null, isQuestion, unreadable),
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
    tests_accepted: num(r.tests_accepted) === 1,
    verify_ms: num(r.verify_ms),
    host: str(r.host),
    host_epoch: num(r.host_epoch),
    host_token: str(r.host_token),
    fetch_pending: num(r.fetch_pending) === 1,
    fetched_at: str(r.fetched_at),
    cost_usd: num(r.cost_usd),
    tokens_in: num(r.tokens_in),
    tokens_out: num(r.tokens_out),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    version: num(r.version),
  };
  return { unit, unreadable };
}

/** what each JSON column holds, in the operator's words */
const MEANING: Record<string, string> = {
  blocked_by: 'dependency list',
  question: 'pending question',
};

/**
 * The event that parks a unit whose stored values cannot be read, or null when reading on loses
 * nothing: dispatch cleared a RUNNING unit's dependencies and question, and a DONE unit needs neither.
 * A unit waiting for dispatch or for the operator is held, never run without its dependencies.
 */
export function holdUnreadable(d: DecodedUnit): Extract<UnitEvent, { type: 'attend' }> | null {
  const { unit, unreadable } = d;
  if (unreadable.length === 0 || unit.status === 'RUNNING' || unit.status === 'DONE') return null;
  const what = unreadable
    .map(
      (u) =>
        `its ${MEANING[u.column] ?? u.column} (${u.column}) cannot be read (${u.error}; stored text: ${excerpt(u.raw)})`,
    )
    .join('; ');
  const remedy = unreadable.some((u) => u.column === 'blocked_by')
    ? `Set its dependencies again with: ve orch block ${unit.chunk} --on <chunks>, or run it without any: ve orch retry ${unit.chunk}`
    : `Restart the phase in a fresh session with: ve orch retry ${unit.chunk}`;
  return {
    type: 'attend',
    kind: 'ERROR',
    reason: `${what}. It was ${unit.status} and is held for you rather than run on a guess. ${remedy}`,
    details: { unreadable },
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
    tests_accepted: u.tests_accepted ? 1 : 0,
    fetch_pending: u.fetch_pending ? 1 : 0,
    question: u.question === null ? null : JSON.stringify(u.question),
  };
}

export function fromConflictRow(r: Row): { analysis: ConflictAnalysis; unreadable: UnreadableValue[] } {
  const unreadable: UnreadableValue[] = [];
  const analysis: ConflictAnalysis = {
    chunk_a: String(r.chunk_a),
    chunk_b: String(r.chunk_b),
    verdict: String(r.verdict) as ConflictAnalysis['verdict'],
    confidence: num(r.confidence),
    stage: String(r.stage) as ConflictAnalysis['stage'],
    reason: String(r.reason),
    overlapping_files: json<string[]>(r, 'overlapping_files', [], isStringList, unreadable),
    overlapping_symbols: json<string[]>(r, 'overlapping_symbols', [], isStringList, unreadable),
    override: str(r.override) as ConflictAnalysis['override'],
    created_at: String(r.created_at),
  };
  return { analysis, unreadable };
}

export function toConflictRow(a: ConflictAnalysis): Row {
  return {
    ...a,
    overlapping_files: JSON.stringify(a.overlapping_files),
    overlapping_symbols: JSON.stringify(a.overlapping_symbols),
  };
}

export function fromStatusLogRow(r: Row): StatusLogEntry {
  return {
    id: Number(r.id),
    chunk: String(r.chunk),
    old_status: (r.old_status ?? null) as Status | null,
    new_status: String(r.new_status) as Status,
    phase: (r.phase ?? null) as Phase | null,
    event: String(r.event),
    reason: (r.reason ?? null) as string | null,
    source: String(r.source) as StatusLogEntry['source'],
    forced: Number(r.forced) === 1,
    at: String(r.at),
  };
}

export function fromPhaseRunRow(r: Row): PhaseRun {
  return {
    id: Number(r.id),
    chunk: String(r.chunk),
    phase: String(r.phase) as Phase,
    started_at: String(r.started_at),
    ended_at: (r.ended_at ?? null) as string | null,
    outcome: (r.outcome ?? null) as string | null,
    session_id: (r.session_id ?? null) as string | null,
    cost_usd: Number(r.cost_usd),
    tokens_in: Number(r.tokens_in),
    tokens_out: Number(r.tokens_out),
    error: (r.error ?? null) as string | null,
  };
}

export function fromAttentionLogRow(r: Row): AttentionLogEntry {
  return {
    id: Number(r.id),
    chunk: String(r.chunk),
    kind: String(r.kind),
    question_id: (r.question_id ?? null) as string | null,
    phase: (r.phase ?? null) as Phase | null,
    raised: r.raised ? (JSON.parse(String(r.raised)) as AttentionLogEntry['raised']) : null,
    answer: (r.answer ?? null) as string | null,
    answered_by: (r.answered_by ?? null) as string | null,
    raised_at: String(r.raised_at),
    answered_at: (r.answered_at ?? null) as string | null,
  };
}
