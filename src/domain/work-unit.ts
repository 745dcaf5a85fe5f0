/** The work unit: one per chunk, the orchestrator's record of where that chunk's work stands. */
import type { ChunkName } from './chunk-name.js';

/** Phases in pipeline order. REBASE is entered only when the branch no longer merges cleanly. */
export const Phase = {
  GOAL: 'GOAL',
  PLAN: 'PLAN',
  IMPLEMENT: 'IMPLEMENT',
  REBASE: 'REBASE',
  REVIEW: 'REVIEW',
  COMPLETE: 'COMPLETE',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];
export const PHASES: readonly Phase[] = ['GOAL', 'PLAN', 'IMPLEMENT', 'REBASE', 'REVIEW', 'COMPLETE'];
/** Phases whose agent writes, builds or tests code (GOAL and PLAN only write the chunk's documents). */
export const CODE_PHASES: readonly Phase[] = ['IMPLEMENT', 'REBASE', 'REVIEW', 'COMPLETE'];

/** The unit's logs: one per agent phase, plus the landing train's verifications. */
export type LogStream = Phase | 'VERIFY';
export const LOG_STREAMS: readonly LogStream[] = [...PHASES, 'VERIFY'];

export const Status = {
  /** eligible for dispatch (once `next_retry_at` is due) */
  READY: 'READY',
  /** an agent phase (or the finalizer) owns it */
  RUNNING: 'RUNNING',
  /** waiting on the chunks in `blocked_by` to reach DONE */
  BLOCKED: 'BLOCKED',
  /** parked until the operator acts; `attention_kind` says why */
  NEEDS_ATTENTION: 'NEEDS_ATTENTION',
  /**
   * in the landing train (DESIGN §16): the agent phases are done and its merge waits to be verified
   * and landed; holds no agent slot
   */
  VERIFYING: 'VERIFYING',
  /** merged into the base branch (or retained) */
  DONE: 'DONE',
} as const;
export type Status = (typeof Status)[keyof typeof Status];
export const STATUSES: readonly Status[] = [
  'READY',
  'RUNNING',
  'BLOCKED',
  'NEEDS_ATTENTION',
  'VERIFYING',
  'DONE',
];

export const AttentionKind = {
  QUESTION: 'QUESTION',
  DECISION: 'DECISION',
  CONFLICT: 'CONFLICT',
  REVIEW: 'REVIEW',
  ERROR: 'ERROR',
  STALLED: 'STALLED',
  MERGE: 'MERGE',
  SETUP: 'SETUP',
  /** a phase ended without what it must leave behind (its exit conditions), after the reminders */
  INCOMPLETE: 'INCOMPLETE',
  /** a phase used its turn budget and every extension; retry continues the same session */
  TURNS: 'TURNS',
  /** the verify command failed on the unit's landing tree more often than `verify_max_retries` */
  VERIFY: 'VERIFY',
  /** the test guard found the unit's diff weakening its tests: approve to land, or answer to send it back */
  TESTS: 'TESTS',
  /** `plan_approval` is on and PLAN ended well: the operator approves the plan or answers with feedback */
  PLAN: 'PLAN',
  /**
   * the unit reached its own spending limit, or a phase its per-phase cap; raising that limit resumes
   * it on its session (docs/agents.md "Budgets")
   */
  BUDGET: 'BUDGET',
} as const;
export type AttentionKind = (typeof AttentionKind)[keyof typeof AttentionKind];
export const ATTENTION_KINDS: readonly AttentionKind[] = Object.values(AttentionKind);

/** One question as the agent asked it through AskUserQuestion. */
export interface QuestionItem {
  question: string;
  header?: string;
  multiSelect?: boolean;
  options: { label: string; description?: string }[];
}

/** The structured question parked on a unit; `id` makes a stale answer detectable. */
export interface PendingQuestion {
  id: string;
  phase: Phase;
  questions: QuestionItem[];
  asked_at: string;
}

export interface WorkUnit {
  chunk: ChunkName;
  phase: Phase;
  status: Status;
  blocked_by: ChunkName[];
  priority: number;
  /** declared dependencies were given (depends_on was a list): the oracle is bypassed */
  explicit_deps: boolean;
  worktree: string | null;
  base_branch: string | null;
  session_id: string | null;
  /** the operator's answer, delivered on resume as "Operator answer" */
  pending_answer: string | null;
  /** a note from the orchestrator (a reminder, "continue"), delivered on resume and labelled as such */
  pending_nudge: string | null;
  reentry_context: string | null;
  attention_reason: string | null;
  attention_kind: AttentionKind | null;
  attention_at: string | null;
  question: PendingQuestion | null;
  api_retry_count: number;
  next_retry_at: string | null;
  review_iterations: number;
  /** reminders sent in this phase (exit conditions unmet, no review decision) */
  nudge_count: number;
  /** times this phase got more turns after reaching max_turns */
  turn_extensions: number;
  /** the branch tip when this phase first started: what the phase committed is measured from here */
  phase_start_tip: string | null;
  implement_iterations: number;
  merge_conflict_retries: number;
  retain_worktree: boolean;
  /** the agent phases are done and the merge is under way: a re-dispatch goes straight to finalize */
  finalizing: boolean;
  /** order in the landing train while VERIFYING (lower lands first); null outside the train */
  train_seq: number | null;
  /** times a failed verification sent the unit back to its agent */
  verify_retries: number;
  /** the operator chose to land this unit without verification (audited) */
  land_unverified: boolean;
  /** the operator let the test changes the test guard found land (until the agent works on it again) */
  tests_accepted: boolean;
  /** wall time spent verifying this unit's landing trees, all runs together */
  verify_ms: number;
  /** the host it is placed on (docs/hosts.md); null until its first dispatch places it */
  host: string | null;
  /** the lease of that placement: the epoch grows at every placement (0: never placed) */
  host_epoch: number;
  host_token: string | null;
  /** a phase ran on the host since the unit's work was last fetched back: the host holds newer work */
  fetch_pending: boolean;
  /** when the unit's work last came back from its host */
  fetched_at: string | null;
  cost_usd: number;
  tokens_in: number;
  tokens_out: number;
  created_at: string;
  updated_at: string;
  /** optimistic-lock counter, +1 on every write */
  version: number;
}

export function isPhase(v: unknown): v is Phase {
  return typeof v === 'string' && (PHASES as readonly string[]).includes(v);
}
export function isStatus(v: unknown): v is Status {
  return typeof v === 'string' && (STATUSES as readonly string[]).includes(v);
}

/** The phase after `phase` in the normal pipeline; null after COMPLETE (finalize comes next). */
export function nextPhase(phase: Phase): Phase | null {
  switch (phase) {
    case 'GOAL':
      return 'PLAN';
    case 'PLAN':
      return 'IMPLEMENT';
    case 'IMPLEMENT':
      return 'REVIEW';
    case 'REBASE':
      return 'REVIEW';
    case 'REVIEW':
      return 'COMPLETE';
    case 'COMPLETE':
      return null;
  }
}

/** A fresh unit as inject creates it; the store assigns nothing but may reject duplicates. */
export function newWorkUnit(fields: {
  chunk: ChunkName;
  phase: Phase;
  status: Status;
  blocked_by?: ChunkName[];
  priority?: number;
  explicit_deps?: boolean;
  retain_worktree?: boolean;
  now: string;
}): WorkUnit {
  return {
    chunk: fields.chunk,
    phase: fields.phase,
    status: fields.status,
    blocked_by: fields.blocked_by ?? [],
    priority: fields.priority ?? 0,
    explicit_deps: fields.explicit_deps ?? false,
    worktree: null,
    base_branch: null,
    session_id: null,
    pending_answer: null,
    pending_nudge: null,
    reentry_context: null,
    attention_reason: null,
    attention_kind: null,
    attention_at: null,
    question: null,
    api_retry_count: 0,
    next_retry_at: null,
    review_iterations: 0,
    nudge_count: 0,
    turn_extensions: 0,
    phase_start_tip: null,
    implement_iterations: 0,
    merge_conflict_retries: 0,
    retain_worktree: fields.retain_worktree ?? false,
    finalizing: false,
    train_seq: null,
    verify_retries: 0,
    land_unverified: false,
    tests_accepted: false,
    verify_ms: 0,
    host: null,
    host_epoch: 0,
    host_token: null,
    fetch_pending: false,
    fetched_at: null,
    cost_usd: 0,
    tokens_in: 0,
    tokens_out: 0,
    created_at: fields.now,
    updated_at: fields.now,
    version: 1,
  };
}
