/**
 * The durable state ports. Every method is one transaction. Status changes go through `transition`,
 * which applies the domain state machine inside the transaction, checks the optimistic-lock version,
 * appends the audit row and publishes on the event bus only after commit. The adapter owns its
 * connection; callers never see a transaction object (keeps a PostgreSQL adapter possible, DESIGN §15).
 */
import type { ConfigPatch, OrchestratorConfig } from '../config/schema.js';
import type { BudgetLimits, ProjectWindow } from '../domain/budget.js';
import type { ConflictAnalysis, Verdict } from '../domain/conflict.js';
import type { UnitEvent } from '../domain/transitions.js';
import type { Phase, Status, WorkUnit } from '../domain/work-unit.js';
import type { AgentFailureCode } from './agent-backend.js';
import type { ChangeSource } from './events.js';

export interface StatusLogEntry {
  id: number;
  chunk: string;
  old_status: Status | null;
  new_status: Status | 'DELETED';
  phase: Phase | null;
  event: string;
  reason: string | null;
  source: ChangeSource;
  forced: boolean;
  at: string;
}

export interface AttentionLogEntry {
  id: number;
  chunk: string;
  kind: string;
  question_id: string | null;
  phase: Phase | null;
  /** what was raised: the reason and, for questions, the structured question */
  raised: { reason: string; question: unknown } | null;
  answer: string | null;
  answered_by: string | null;
  raised_at: string;
  answered_at: string | null;
}

export interface PhaseRun {
  id: number;
  chunk: string;
  phase: Phase;
  started_at: string;
  ended_at: string | null;
  outcome: string | null;
  session_id: string | null;
  cost_usd: number;
  tokens_in: number;
  tokens_out: number;
  error: string | null;
}

export interface WriteOptions {
  source: ChangeSource;
  /** optimistic lock: the write fails with StaleWriteError unless the stored version equals this */
  expectedVersion?: number;
  reason?: string;
  /** who acted (operator name, 'dashboard', …) for the audit trail */
  actor?: string;
}

/** Non-status fields that may change without a transition (counters, paths, priorities). */
export type UnitFieldPatch = Partial<
  Pick<
    WorkUnit,
    | 'priority'
    | 'worktree'
    | 'base_branch'
    | 'session_id'
    | 'pending_answer'
    | 'pending_nudge'
    | 'reentry_context'
    | 'blocked_by'
    | 'retain_worktree'
    | 'next_retry_at'
    | 'api_retry_count'
    | 'review_iterations'
    | 'nudge_count'
    | 'turn_extensions'
    | 'phase_start_tip'
    | 'implement_iterations'
    | 'merge_conflict_retries'
    | 'explicit_deps'
    | 'finalizing'
    | 'tests_accepted'
    | 'phase'
    | 'verify_retries'
    | 'verify_ms'
    | 'host'
    | 'host_epoch'
    | 'host_token'
    | 'fetch_pending'
    | 'fetched_at'
  >
>;

/** which units `list` and `count` read: `status` wins over `active` when both are given */
export interface UnitFilter {
  status?: Status;
  active?: boolean;
}

/** `list` order: 'created' (created_at, chunk; the default) or 'recent' (updated_at, chunk, newest first) */
export type UnitOrder = 'created' | 'recent';

/** The work units and their audit log: every status change is a guarded transition. */
export interface UnitStore {
  get(chunk: string): Promise<WorkUnit | undefined>;
  /**
   * units in created_at order (or `order: 'recent'`: most recently updated first), optionally filtered
   * by status; `active` leaves DONE units out, which is what every per-change reader wants (a
   * long-lived project keeps thousands of finished units). Keyset paging: `after` keeps only units
   * strictly after that unit in the listing order (not_found if it names no unit), `limit` caps how
   * many come back.
   */
  list(filter?: UnitFilter & { limit?: number; after?: string; order?: UnitOrder }): Promise<WorkUnit[]>;
  /** how many units match the filter, counted by the store (the total over every page of `list`) */
  count(filter?: UnitFilter): Promise<number>;
  /** units per status and the total cost, summed by the store rather than by listing every unit */
  totals(): Promise<{ counts: Partial<Record<Status, number>>; cost_usd: number }>;
  /** inserts a unit and its first audit row; AlreadyExists if the chunk has a unit */
  create(unit: WorkUnit, opts: WriteOptions): Promise<WorkUnit>;
  /** inserts several units in one transaction: all or none */
  createMany(units: WorkUnit[], opts: WriteOptions): Promise<WorkUnit[]>;
  /** applies a state-machine event (plus field changes) in one guarded transaction */
  transition(chunk: string, event: UnitEvent, opts: WriteOptions, fields?: UnitFieldPatch): Promise<WorkUnit>;
  /** changes fields without a status change; audited only when it says so in `reason` */
  update(chunk: string, fields: UnitFieldPatch, opts: WriteOptions): Promise<WorkUnit>;
  /** adds a phase's cost and tokens to the unit's totals */
  addUsage(chunk: string, usage: { cost_usd: number; tokens_in: number; tokens_out: number }): Promise<void>;
  delete(chunk: string, opts: WriteOptions): Promise<void>;
  history(chunk: string): Promise<StatusLogEntry[]>;
}

/** The orchestrator's settings. */
export interface ConfigStore {
  getConfig(): Promise<OrchestratorConfig>;
  /** validates and stores a partial config; publishes config_changed */
  patchConfig(patch: ConfigPatch): Promise<OrchestratorConfig>;
}

export interface PhaseRunEnd {
  outcome: string;
  session_id: string | null;
  cost_usd: number;
  tokens_in: number;
  tokens_out: number;
  error: string | null;
}

/** How a failed phase run's outcome is recorded (the others are recorded as their kind). */
export function failedOutcome(code: AgentFailureCode): string {
  return `failed:${code}`;
}

/** A READY unit whose last phase run hit a usage limit: it resumes at `next_retry_at`. */
export interface UsageLimitWait {
  chunk: string;
  next_retry_at: string;
}

/** One row per phase execution. */
export interface PhaseRunStore {
  startPhaseRun(chunk: string, phase: Phase, sessionId: string | null): Promise<number>;
  endPhaseRun(id: number, end: PhaseRunEnd): Promise<void>;
  phaseRuns(chunk: string): Promise<PhaseRun[]>;
  /**
   * the project's budget window as it stands now: the cost of the phase runs that ended within it
   * (after its start; domain/budget.ts `projectWindow`); null when there is no project limit
   */
  projectWindow(
    limits: Pick<BudgetLimits, 'project_budget_usd' | 'project_budget_window_hours'>,
  ): Promise<ProjectWindow | null>;
  /** READY units whose latest phase run failed with `usage_limit`, soonest first */
  usageLimitWaits(): Promise<UsageLimitWait[]>;
}

export interface RaisedAttention {
  chunk: string;
  kind: string;
  question_id: string | null;
  phase: Phase;
  reason: string;
  question: unknown;
}

/** Items raised and the answers given (a transition to NEEDS_ATTENTION records its raise itself). */
export interface AttentionLogStore {
  /** appends a raised attention item to the audit trail */
  recordAttentionRaised(entry: RaisedAttention): Promise<void>;
  /** records the answer against the matching raised item */
  recordAttentionAnswered(entry: {
    chunk: string;
    question_id: string | null;
    answer: string;
    answered_by: string;
  }): Promise<void>;
  attentionLog(chunk?: string): Promise<AttentionLogEntry[]>;
}

/** The conflict oracle's analyses of chunk pairs, and the operator's overrides. */
export interface ConflictStore {
  upsertConflict(analysis: ConflictAnalysis): Promise<void>;
  getConflict(a: string, b: string): Promise<ConflictAnalysis | undefined>;
  listConflicts(filter?: { chunk?: string; verdict?: Verdict }): Promise<ConflictAnalysis[]>;
  /** drops computed analyses involving `chunk` (operator overrides survive) */
  invalidateConflicts(chunk: string): Promise<void>;
  setConflictOverride(a: string, b: string, verdict: Verdict): Promise<ConflictAnalysis>;
}

/**
 * The whole durable state, one port per concept: what the composition root hands out. A service
 * declares only the concepts it uses (e.g. `UnitStore & ConfigStore`).
 */
export interface WorkUnitStore
  extends UnitStore,
    ConfigStore,
    PhaseRunStore,
    AttentionLogStore,
    ConflictStore {
  close(): void;
}
