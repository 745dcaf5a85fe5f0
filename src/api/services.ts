/**
 * What the API needs from the rest of the daemon. `daemon/compose.ts` fills this from the services;
 * the API itself never constructs or imports them (style §3.2).
 */
import type { ConfigPatch, OrchestratorConfig } from '../config/schema.js';
import type { ConflictAnalysis, Verdict } from '../domain/conflict.js';
import type { LogStream, Phase, Status, WorkUnit } from '../domain/work-unit.js';
import type { ChangeEvent } from '../ports/events.js';
import type { Logger } from '../ports/logger.js';
import type { LogEvent } from '../ports/phase-log.js';
import type { UnitOrder } from '../ports/store.js';
import type { TrainSnapshot, VerifyRun } from '../ports/train.js';
import type { WorktreeInfo } from '../ports/worktrees.js';
import type {
  AddHostDto,
  AddHostRequestDto,
  AnswerRequest,
  AttentionItemDto,
  ChunkSummaryDto,
  HistoryDto,
  HostCheckDto,
  HostDto,
  InjectRequest,
  InjectResponse,
  PlanDto,
  RemoveHostDto,
  StatusDto,
} from './dto.js';

export interface LoggedEvent {
  phase: LogStream;
  /** line number in the phase log file, for de-duplicating backlog and live events */
  seq: number;
  event: LogEvent & { at: string };
}

/** which units GET /api/work-units lists; `after` and `limit` page through them (keyset) */
export interface UnitListQuery {
  status?: Status;
  /** every status but DONE */
  active?: boolean;
  limit?: number;
  /** a chunk name: only units after this one in the listing order */
  after?: string;
  /** 'created' (default) or 'recent': most recently updated first */
  order?: UnitOrder;
}

export interface UnitPage {
  work_units: WorkUnit[];
  total: number;
  next_after: string | null;
}

export interface ApiServices {
  log: Logger;
  /** the landing train as it stands */
  train(): Promise<TrainSnapshot>;
  /** recorded verifications, newest first: of one unit, or all (base checks too) */
  verifyRuns(filter: { chunk?: string; limit?: number }): Promise<VerifyRun[]>;
  /** the operator's override: the unit (a VERIFY item) lands without verification; audited */
  landUnverified(chunk: string, by: string): Promise<WorkUnit>;
  status(): Promise<StatusDto>;
  listUnits(query?: UnitListQuery): Promise<UnitPage>;
  queue(): Promise<WorkUnit[]>;
  getUnit(chunk: string): Promise<WorkUnit>;
  inject(req: InjectRequest): Promise<InjectResponse>;
  /** `keepBranch`: the unit goes, its branch `orch/<chunk>` (the agent's work) stays */
  deleteUnit(chunk: string, force: boolean, keepBranch?: boolean): Promise<void>;
  history(chunk: string): Promise<HistoryDto>;
  setPriority(chunk: string, priority: number, expectedVersion?: number): Promise<WorkUnit>;
  forceStatus(
    chunk: string,
    change: { status: Status; phase?: Phase; expectedVersion?: number; reason?: string },
  ): Promise<WorkUnit>;
  answer(chunk: string, req: AnswerRequest): Promise<WorkUnit>;
  /** the unit's PLAN.md as committed on its branch */
  plan(chunk: string): Promise<PlanDto>;
  /** approves a PLAN item: the unit moves on to IMPLEMENT; audited with `by` */
  approve(chunk: string, by: string): Promise<WorkUnit>;
  retry(chunk: string): Promise<WorkUnit>;
  retryAll(phase?: Phase): Promise<string[]>;
  kill(chunk: string, to: 'ready' | 'attention'): Promise<WorkUnit>;
  interrupt(chunk: string, guidance: string): Promise<void>;
  block(chunk: string, on: string[], reason?: string): Promise<WorkUnit>;
  unblock(chunk: string): Promise<WorkUnit>;
  resolve(chunk: string, other: string, verdict: 'parallelize' | 'serialize'): Promise<WorkUnit>;
  attention(): Promise<AttentionItemDto[]>;
  getConfig(): Promise<OrchestratorConfig>;
  patchConfig(patch: ConfigPatch): Promise<OrchestratorConfig>;
  conflicts(filter: { chunk?: string; verdict?: Verdict }): Promise<ConflictAnalysis[]>;
  analyze(a: string, b: string): Promise<ConflictAnalysis>;
  worktrees(): Promise<WorktreeInfo[]>;
  removeWorktree(chunk: string, opts: { force: boolean; keepBranch: boolean }): Promise<void>;
  pruneWorktrees(force: boolean): Promise<{ removed: string[]; kept: { chunk: string; reason: string }[] }>;
  phaseLog(chunk: string): Promise<LoggedEvent[]>;
  diff(chunk: string): Promise<string>;
  chunks(): Promise<ChunkSummaryDto[]>;
  chunk(
    name: string,
  ): Promise<{ name: string; goal: string; plan: string | null; frontmatter: Record<string, unknown> }>;
  /** the host pool (docs/hosts.md) */
  hosts(): Promise<HostDto[]>;
  addHost(req: AddHostRequestDto): Promise<AddHostDto>;
  /** checks every host that is not removed, or the one named, now */
  checkHosts(name?: string): Promise<HostCheckDto[]>;
  drainHost(name: string): Promise<HostDto>;
  activateHost(name: string): Promise<HostDto>;
  setHostSlots(name: string, slots: number): Promise<HostDto>;
  removeHost(name: string, opts: { reassign: boolean; forget: boolean }): Promise<RemoveHostDto>;
  /** every committed change, for the WebSocket streams */
  subscribe(listener: (event: ChangeEvent) => void): () => void;
}
