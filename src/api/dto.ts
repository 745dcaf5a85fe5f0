/**
 * Wire shapes of the REST API and the WebSocket streams (docs/api.md). The CLI and the dashboard read
 * these types; nothing else about the server leaks to them.
 */
import type { AttentionItem } from '../attention/inbox.js';
import type { PlanView } from '../attention/plan-approval.js';
import type { OrchestratorConfig } from '../config/schema.js';
import type { ConflictAnalysis } from '../domain/conflict.js';
import type { SetupSource } from '../domain/setup-detection.js';
import type { LogStream, Phase, Status, WorkUnit } from '../domain/work-unit.js';
import type { AddHostRequest, HostCheckReport, HostView, RemoveResult } from '../fleet/host-commands.js';
import type { LogEvent } from '../ports/phase-log.js';
import type { TrainSnapshot, VerifySettings } from '../ports/train.js';

export type { TrainSnapshot };

import type { AttentionLogEntry, PhaseRun, StatusLogEntry } from '../ports/store.js';
import type { WorktreeInfo } from '../ports/worktrees.js';

export type WorkUnitDto = WorkUnit;

/** a host of the pool with what runs on it now (docs/hosts.md) */
export type HostDto = HostView;
export type HostCheckDto = HostCheckReport;
export type AddHostRequestDto = AddHostRequest;
/** DELETE /api/hosts/:name: the units moved off it and what each lost */
export type RemoveHostDto = RemoveResult;

export interface HostListDto {
  hosts: HostDto[];
  count: number;
}

export interface AddHostDto {
  host: HostDto;
  check: HostCheckDto;
}

export interface HostChecksDto {
  checks: HostCheckDto[];
}
export type ConfigDto = OrchestratorConfig;
export type ConflictDto = ConflictAnalysis;

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface StatusDto {
  running: boolean;
  pid: number | null;
  version: string;
  project_root: string;
  base_branch: string | null;
  started_at: string | null;
  uptime_seconds: number | null;
  counts: Partial<Record<Status, number>>;
  agents: { running: number; max: number };
  total_cost_usd: number;
  url: string | null;
  /** whether agents' shell commands run in the OS sandbox, and if not, why not */
  /**
   * `active`: agents' shell commands run in the OS sandbox; `reason`: why not; `held`: why no agent
   * starts (auto/on without a runnable sandbox), or null
   */
  agent_sandbox: { mode: 'auto' | 'on' | 'off'; active: boolean; reason: string | null; held: string | null };
  /**
   * the dependency setup a new worktree gets, as the files of the project's checkout call for it
   * (null when the daemon is not running)
   */
  setup: { command: string | null; source: SetupSource; why: string } | null;
  /** the verify command landings must pass (null: landings are not verified); null when stopped */
  verification: VerifySettings | null;
  /** the landing train: units waiting to land, verifications running */
  train: { entries: number; running: number } | null;
  /** stored settings that cannot be read: each keeps its default until set again */
  config_warnings: string[];
  /**
   * the project's phase prompt overrides (`ve/prompts/<phase>.md` on base): the ones in force, and the
   * refused ones with why (their phases do not run until fixed); null when stopped
   */
  prompts: { overrides: string[]; problems: { phase: Phase; file: string; message: string }[] } | null;
  /** the spending limits and where spend stands against them (docs/agents.md "Budgets"); null when stopped */
  budget: BudgetStatusDto | null;
  /** units waiting for a usage limit to reset (the soonest reset); null when none waits */
  usage_limit: { resumes_at: string; units: number } | null;
  /** every host of the pool (`local` first): state, health, and the agent slots used and in force */
  hosts: HostSummaryDto[];
}

export interface BudgetStatusDto {
  /** the limits in force (null = none): per phase run, per unit in USD, per unit in tokens in + out */
  phase_usd: number | null;
  unit_usd: number | null;
  unit_tokens: number | null;
  /** the project's rolling window; null without a project limit */
  project: {
    limit_usd: number;
    window_hours: number;
    spent_usd: number;
    /** the window's spend reached the limit: no phase starts */
    reached: boolean;
    /** when enough spend has left the window for phases to start again; null while under the limit */
    frees_at: string | null;
    /** READY units held while it is reached */
    waiting: number;
  } | null;
  /** units parked as BUDGET items (over their own limit, or a phase over its cap) */
  items: number;
}

export interface HostSummaryDto {
  name: string;
  state: HostDto['state'];
  health: HostDto['health'];
  health_detail: string | null;
  slots_used: number;
  slots_total: number;
}

export interface UnitListDto {
  work_units: WorkUnitDto[];
  count: number;
}

/** GET /api/work-units: one page of units in the asked order (every unit when no limit was asked) */
export interface UnitPageDto extends UnitListDto {
  /** units matching the filter over every page */
  total: number;
  /** the last unit's chunk, to pass as `after` for the next page; null when no unit follows */
  next_after: string | null;
}

export interface InjectRequest {
  chunks: string[];
  phase?: Phase;
  priority?: number;
  retain?: boolean;
}

export interface InjectResponse {
  results: WorkUnitDto[];
  warnings: string[];
}

export type AttentionItemDto = AttentionItem;

/** GET /api/work-units/:chunk/plan: PLAN.md as committed on the unit's branch (or base) */
export type PlanDto = PlanView;

/** POST /api/work-units/:chunk/approve */
export interface ApproveRequest {
  /** who approves, for the audit trail (default: operator) */
  approved_by?: string;
}

export interface AttentionListDto {
  items: AttentionItemDto[];
  count: number;
}

export interface AnswerRequest {
  /** free text, used for every question unless `answers` says otherwise */
  answer?: string;
  /** 1-based option of the first question */
  option?: number;
  /** per-question answers keyed by question text */
  answers?: Record<string, string>;
  /** the question being answered; a different pending question makes the answer stale */
  question_id?: string;
  answered_by?: string;
}

export interface HistoryDto {
  chunk: string;
  history: StatusLogEntry[];
  attention: AttentionLogEntry[];
  phase_runs: PhaseRun[];
}

export interface ResolveRequest {
  other: string;
  verdict: 'parallelize' | 'serialize';
}

export interface ChunkSummaryDto {
  name: string;
  status: string | null;
  depends_on: string[] | null;
  summary: string;
  injected: boolean;
  error: string | null;
}

export interface WorktreeListDto {
  worktrees: WorktreeInfo[];
  count: number;
}

/**
 * Messages on `/ws`: a snapshot first, then one message per committed change. A `status` message
 * follows (once per burst) whenever a unit enters or leaves DONE or is deleted, so its `counts`
 * stay the true per-status totals while the page holds only some of the DONE units.
 */
export type WsMessage =
  | {
      type: 'snapshot';
      data: {
        /** every unit that is not DONE, then the newest 100 DONE units (ws.ts `SNAPSHOT_DONE_UNITS`) */
        work_units: WorkUnitDto[];
        /**
         * the oldest DONE unit sent, when older ones exist: the `after` of
         * GET /api/work-units?status=DONE&order=recent; null when every DONE unit is here
         */
        done_next_after: string | null;
        attention: AttentionItemDto[];
        config: ConfigDto;
        /** `counts.DONE` is how many DONE units exist in all */
        status: StatusDto;
        train: TrainSnapshot;
        hosts: HostDto[];
      };
    }
  /** the host pool changed (added, checked, drained, removed) or a phase started or ended on a host */
  | { type: 'hosts'; data: { hosts: HostDto[] } }
  | { type: 'train'; data: TrainSnapshot }
  | { type: 'unit'; data: WorkUnitDto }
  | { type: 'unit_deleted'; data: { chunk: string } }
  | { type: 'attention'; data: { items: AttentionItemDto[] } }
  | { type: 'config'; data: ConfigDto }
  | { type: 'conflict'; data: ConflictDto }
  /** the oracle's analyses of these sorted pairs are gone (`chunk` moved on); overrides stay */
  | { type: 'conflicts_invalidated'; data: { chunk: string; pairs: [string, string][] } }
  | { type: 'status'; data: StatusDto };

/** Messages on `/ws/log/<chunk>`: the logged events of every phase so far, then live ones. */
export type LogWsMessage =
  | { type: 'log'; phase: LogStream; seq: number; event: LogEvent & { at: string } }
  | { type: 'info'; message: string }
  | { type: 'error'; message: string };
