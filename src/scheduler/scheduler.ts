/**
 * The scheduler: owns the phases in flight and dispatches READY units into free agent slots the
 * moment something changes (DESIGN §6). Wake-ups come from the event bus; the only timers are due
 * retries (and the runner's stall checks). It is also the LivePhases port the operator's commands use.
 */
import { randomBytes } from 'node:crypto';
import type { OrchestratorConfig } from '../config/schema.js';
import { budgetReason, decideStart, type Reached } from '../domain/budget.js';
import { isOrchError } from '../domain/errors.js';
import {
  decidePlacement,
  needsHost,
  type Placement,
  type PlacementHost,
  withPhaseOn,
} from '../domain/placement.js';
import { readyQueue } from '../domain/ready-order.js';
import { CODE_PHASES, type WorkUnit } from '../domain/work-unit.js';
import type { QuestionAnswer } from '../ports/agent-backend.js';
import type { Clock } from '../ports/clock.js';
import type { ChangeEvent, EventBus } from '../ports/events.js';
import type { HostStore } from '../ports/hosts.js';
import type { AbortReason, LivePhases, PhaseHandle } from '../ports/live-phases.js';
import type { Logger } from '../ports/logger.js';
import type { ConflictOracle } from '../ports/oracle.js';
import type { PhaseRunner } from '../ports/phase-runner.js';
import type { ConfigStore, PhaseRunStore, UnitStore } from '../ports/store.js';
import { CoalescingRunner } from '../shared/coalescing-runner.js';
import { liftBudgetItems } from './lift-budget.js';
import { placementView } from './placement-view.js';
import { recover } from './recovery.js';
import { unblockWaiting } from './unblock.js';

export interface SchedulerDeps {
  store: UnitStore & ConfigStore & PhaseRunStore;
  runner: PhaseRunner;
  oracle: ConflictOracle | null;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  /** called after every phase end (the oracle's live merge-tree watch) */
  afterPhase?: () => Promise<void>;
  /**
   * why no phase may start on this machine under this config now (an OS sandbox that cannot run), or
   * null; with hosts, only `local` is held
   */
  holdAgents?: (config: OrchestratorConfig) => Promise<string | null>;
  /** the host pool (docs/hosts.md); without it every unit runs on the daemon's machine, unplaced */
  hosts?: Pick<HostStore, 'list'>;
  /** a new lease's token (random hex) */
  newLeaseToken?: () => string;
}

export class Scheduler implements LivePhases {
  private readonly handles = new Map<string, PhaseHandle>();
  private readonly passes = new CoalescingRunner(
    () => this.pass(),
    (error) => this.deps.log.error('dispatch pass failed', { error }),
    () => {
      this.notifyIdle();
      this.notifySettled();
    },
  );
  private cancelRetryTimer: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];
  /** bus wake-ups scheduled but not yet turned into a pass, and sweeps (unblock, budget lift) under way */
  private wakes = 0;
  private sweeping = 0;
  private settledWaiters: (() => void)[] = [];
  private heldFor: string | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  async start(): Promise<void> {
    await recover(this.deps, await this.deps.store.getConfig());
    this.unsubscribe = this.deps.bus.subscribe((e) => this.onChange(e));
    this.requestPass();
  }

  /** Stops dispatching, interrupts every phase (sessions kept) and waits for them to settle. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.cancelRetryTimer?.();
    for (const h of this.handles.values()) h.abort('stop');
    await Promise.all([...this.handles.values()].map((h) => h.done));
    this.passes.stop();
    await this.passes.drained();
  }

  /** Resolves when no pass runs and no phase is in flight. */
  idle(): Promise<void> {
    if (this.handles.size === 0 && !this.passes.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when the current pass (if any) and any pass it queued have finished. */
  async idlePass(): Promise<void> {
    await this.passes.drained();
  }

  /**
   * Resolves once every change published so far has been reacted to: its unblock sweep and the pass
   * it asked for (and any pass that one queued) have finished. Phases in flight may still run (see
   * `idle`). What has not happened by then will not happen without a new change.
   */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private isSettled(): boolean {
    return this.wakes === 0 && this.sweeping === 0 && !this.passes.busy();
  }

  private notifySettled(): void {
    if (!this.isSettled()) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
  }

  requestPass(): void {
    if (this.stopping) {
      this.notifySettled();
      return;
    }
    this.passes.request();
  }

  /** One dispatch pass; returns the chunks it started. Public so tests can drive it without timers. */
  async pass(): Promise<string[]> {
    const { store, oracle, clock } = this.deps;
    const config = await store.getConfig();
    // with hosts, a hold stops only `local`: placement sends units elsewhere or keeps them waiting
    const hold = await this.holding(config);
    if (hold && !this.deps.hosts) return [];
    let free = config.max_agents - this.activeCount();
    if (free <= 0) return [];
    const units = await store.list({ active: true });
    const now = clock.now();
    const busy = units.filter((u) => u.status === 'RUNNING' && this.handles.has(u.chunk));
    const project = await store.projectWindow(config);
    let hosts = await this.hostsView(units, config, hold);
    const started: string[] = [];
    let nextDue = Number.POSITIVE_INFINITY;
    for (const unit of readyQueue(units)) {
      if (free <= 0 || this.stopping) break;
      if (this.handles.has(unit.chunk)) continue;
      const due = unit.next_retry_at ? Date.parse(unit.next_retry_at) : 0;
      if (due > now) {
        nextDue = Math.min(nextDue, due);
        continue;
      }
      const budget = decideStart(unit, config, project);
      if (budget.kind === 'over') {
        // the project's window is spent: no unit starts a phase until spend leaves it (the status views
        // say so once); a unit over its own limit becomes a BUDGET item
        if (budget.reached.limit === 'project_usd') nextDue = Math.min(nextDue, project?.frees_at ?? nextDue);
        else await this.raiseBudget(unit, budget.reached);
        continue;
      }
      if (oracle && CODE_PHASES.includes(unit.phase)) {
        const gate = await oracle.gate(
          unit,
          busy.filter((b) => CODE_PHASES.includes(b.phase)),
        );
        if (gate.kind === 'wait') continue;
        if (gate.kind === 'ask') {
          await this.raiseConflict(unit, gate.other, gate.analysis.reason, gate.analysis.overlapping_files);
          continue;
        }
      }
      // the host: its own once placed, else the one with most room; none free, the unit waits
      const where = hosts && needsHost(unit) ? decidePlacement(unit.host, hosts) : null;
      if (where?.kind === 'wait') continue;
      const claimed = await this.claim(unit, where);
      if (!claimed) continue;
      if (hosts && where) hosts = withPhaseOn(hosts, where.host);
      busy.push(claimed);
      started.push(claimed.chunk);
      free -= 1;
    }
    this.armRetryTimer(nextDue);
    return started;
  }

  private hostsView(
    units: readonly WorkUnit[],
    config: OrchestratorConfig,
    localHold: string | null,
  ): Promise<PlacementHost[] | null> {
    const { hosts } = this.deps;
    if (!hosts) return Promise.resolve(null);
    return placementView(hosts, units, (c) => this.handles.has(c), {
      maxAgents: config.max_agents,
      sandboxRequired: config.agent_sandbox !== 'off',
      localHold,
    });
  }

  /** no dispatch while the backend says agents must wait; logged once per change, a config change ends it */
  private async holding(config: OrchestratorConfig): Promise<string | null> {
    const reason = (await this.deps.holdAgents?.(config)) ?? null;
    if (reason !== this.heldFor) {
      if (reason) this.deps.log.warn('agents held: no phase starts', { reason });
      else this.deps.log.info('agents no longer held');
      this.heldFor = reason;
    }
    return reason;
  }

  private async claim(unit: WorkUnit, where: Placement | null): Promise<WorkUnit | null> {
    let claimed: WorkUnit;
    // the first dispatch places the unit: a new lease (epoch + 1) that fences off any older copy
    const placed =
      where?.kind === 'place' && where.first
        ? {
            host: where.host,
            host_epoch: unit.host_epoch + 1,
            host_token: (this.deps.newLeaseToken ?? randomLeaseToken)(),
          }
        : undefined;
    try {
      claimed = await this.deps.store.transition(
        unit.chunk,
        { type: 'dispatch' },
        {
          source: 'scheduler',
          expectedVersion: unit.version,
          ...(placed ? { reason: `placed on ${placed.host}` } : {}),
        },
        placed,
      );
    } catch (e) {
      // changed since the queue was read (answered, deleted, blocked): the next pass sees the new state
      if (
        isOrchError(e, 'stale_write') ||
        isOrchError(e, 'invalid_transition') ||
        isOrchError(e, 'not_found')
      )
        return null;
      throw e;
    }
    const handle = this.deps.runner.start(claimed);
    this.handles.set(claimed.chunk, handle);
    void handle.done.finally(() => {
      this.handles.delete(claimed.chunk);
      this.raiseIfOrphaned(claimed.chunk).catch((error: unknown) =>
        this.deps.log.error('could not check the unit after its phase', { chunk: claimed.chunk, error }),
      );
      this.deps
        .afterPhase?.()
        .catch((error: unknown) => this.deps.log.warn('after-phase hook failed', { error }));
      this.requestPass();
      this.notifyIdle();
    });
    return claimed;
  }

  /**
   * The runner records every phase's outcome; if it could not (it crashed and could not even record
   * that), the unit would stay RUNNING with nothing running until the next restart. It is raised instead.
   */
  private async raiseIfOrphaned(chunk: string): Promise<void> {
    const unit = await this.deps.store.get(chunk);
    if (unit?.status !== 'RUNNING' || this.handles.has(chunk) || this.stopping) return;
    const reason = 'The phase ended without recording its outcome (see the daemon log); retry runs it again';
    this.deps.log.error('a phase ended with its unit still RUNNING; raised as an ERROR item', { chunk });
    await this.deps.store.transition(
      chunk,
      { type: 'attend', kind: 'ERROR', reason },
      { source: 'scheduler', expectedVersion: unit.version, reason },
    );
  }

  private async raiseBudget(unit: WorkUnit, reached: Reached): Promise<void> {
    const reason = budgetReason({ kind: 'reached', reached }, unit.phase);
    try {
      await this.deps.store.transition(
        unit.chunk,
        { type: 'attend', kind: 'BUDGET', reason },
        { source: 'scheduler', expectedVersion: unit.version, reason },
      );
    } catch (e) {
      // changed since the queue was read: the next pass sees the new state
      if (!isOrchError(e, 'stale_write') && !isOrchError(e, 'invalid_transition')) throw e;
    }
  }

  private async raiseConflict(unit: WorkUnit, other: string, why: string, files: string[]): Promise<void> {
    const reason = `Possible conflict with ${other}${files.length > 0 ? ` (${files.slice(0, 5).join(', ')})` : ''}: ${why}. Decide with: ve orch resolve ${unit.chunk} --with ${other} parallelize|serialize`;
    try {
      await this.deps.store.transition(
        unit.chunk,
        { type: 'attend', kind: 'CONFLICT', reason, details: { other, files } },
        { source: 'scheduler', expectedVersion: unit.version, reason },
        { blocked_by: [...new Set([...unit.blocked_by, other])] as WorkUnit['blocked_by'] },
      );
    } catch (e) {
      if (!isOrchError(e, 'stale_write')) throw e;
    }
  }

  private armRetryTimer(due: number): void {
    this.cancelRetryTimer?.();
    this.cancelRetryTimer = null;
    if (Number.isFinite(due)) this.cancelRetryTimer = this.deps.clock.at(due, () => this.requestPass());
  }

  private onChange(event: ChangeEvent): void {
    if (
      event.type === 'phase_log' ||
      event.type === 'conflict_changed' ||
      event.type === 'conflicts_invalidated'
    )
      return;
    if (event.type === 'unit_changed' && event.unit.status === 'DONE' && event.previous?.status !== 'DONE') {
      this.sweep('unblock', unblockWaiting(this.deps.store));
    }
    if (event.type === 'config_changed') {
      this.sweep('budget lift', liftBudgetItems(this.deps.store, event.previous, event.config));
    }
    // coalesce a burst of changes into one pass
    this.wakes += 1;
    setImmediate(() => {
      this.wakes -= 1;
      this.requestPass();
    });
  }

  /** a sweep the next settle waits for; its transitions wake the scheduler again */
  private sweep(what: string, work: Promise<unknown>): void {
    this.sweeping += 1;
    work
      .catch((error: unknown) => this.deps.log.error(`${what} failed`, { error }))
      .finally(() => {
        this.sweeping -= 1;
        this.notifySettled();
      });
  }

  private notifyIdle(): void {
    if (this.handles.size > 0 || this.passes.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // LivePhases

  running(): string[] {
    return [...this.handles.keys()];
  }

  activeCount(): number {
    let n = 0;
    for (const h of this.handles.values()) if (h.waitingQuestion() === null) n += 1;
    return n;
  }

  waitingQuestion(chunk: string): string | null {
    return this.handles.get(chunk)?.waitingQuestion() ?? null;
  }

  deliverAnswer(chunk: string, questionId: string, answer: QuestionAnswer): boolean {
    return this.handles.get(chunk)?.deliverAnswer(questionId, answer) ?? false;
  }

  sendGuidance(chunk: string, text: string): boolean {
    return this.handles.get(chunk)?.sendGuidance(text) ?? false;
  }

  async abort(chunk: string, reason: AbortReason): Promise<boolean> {
    const handle = this.handles.get(chunk);
    if (!handle) return false;
    handle.abort(reason);
    await handle.done;
    return true;
  }
}

function randomLeaseToken(): string {
  return randomBytes(8).toString('hex');
}
