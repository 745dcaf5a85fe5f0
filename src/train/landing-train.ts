/**
 * The landing train (DESIGN §16, issue 10): every VERIFYING unit is an entry, in train order. Each
 * step rebuilds the entries' speculative trees on the current base tip (cached by parent and branch
 * tip, so an unchanged train costs no git work), plans with `domain/train.ts`, starts verifications
 * up to `verify_parallelism`, and lands, finishes, sends back or raises items. Steps run one at a
 * time; a step is requested by any change to a unit, a finished verification, or a config change.
 */
import { joinsChain, planTrain, type TrainAction, type TrainEntryView, verdictOf } from '../domain/train.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { ChangeEvent } from '../ports/events.js';
import type { SpeculativeMerge, TrainSnapshot, VerifyResult } from '../ports/train.js';
import { CoalescingRunner } from '../shared/coalescing-runner.js';
import type { TrainDeps, TrainSettings } from './train-deps.js';
import { orderTrain, snapshotOf } from './train-order.js';
import { type TrainOutcomes, trainOutcomes } from './train-outcomes.js';
import { VerifyRuns } from './verify-runs.js';

export class LandingTrain {
  private readonly merges = new Map<string, SpeculativeMerge>();
  private readonly runs: VerifyRuns;
  private readonly outcomes: TrainOutcomes;
  private readonly steps: CoalescingRunner;
  private unsubscribe: (() => void) | null = null;
  private lastSnapshot = '';
  private snapshot: TrainSnapshot | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: TrainDeps) {
    this.runs = new VerifyRuns(deps, () => this.kick());
    this.outcomes = trainOutcomes(deps, this.runs);
    this.steps = new CoalescingRunner(
      () => this.step(),
      (error) => deps.log.error('train step failed', { error }),
      () => this.notifyIdle(),
    );
  }

  /** Kills what a crashed daemon left running, then starts listening and takes the first step. */
  async start(): Promise<void> {
    await this.runs.recover();
    this.unsubscribe = this.deps.bus.subscribe((e) => this.onChange(e));
    this.kick();
  }

  /** Stops every verification (their processes are killed) and waits for the current step. */
  async stop(): Promise<void> {
    this.steps.stop();
    this.unsubscribe?.();
    await this.runs.cancelAll();
    await this.steps.drained();
  }

  /** The train as `ve orch train` shows it (built by a step first when none has run yet). */
  async view(): Promise<TrainSnapshot> {
    if (!this.snapshot) {
      this.kick();
      await this.stepped();
    }
    // a step that failed (it is logged) still leaves the train readable: empty, as far as is known
    this.snapshot ??= snapshotOf(
      this.deps.baseBranch,
      null,
      await this.deps.settings(),
      [],
      'unknown',
      this.runs,
    );
    return this.snapshot;
  }

  /** Resolves when no step runs and no verification is in flight. */
  idle(): Promise<void> {
    if (!this.steps.busy() && this.runs.running() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when no step runs (verifications may still be in flight). */
  stepped(): Promise<void> {
    return this.steps.drained();
  }

  kick(): void {
    this.steps.request();
  }

  private onChange(e: ChangeEvent): void {
    if (e.type === 'config_changed') {
      this.kick();
      return;
    }
    if (e.type !== 'unit_changed' && e.type !== 'unit_deleted') return;
    if (e.type === 'unit_changed' && e.unit.status !== 'VERIFYING' && e.previous?.status !== 'VERIFYING')
      return;
    this.kick();
  }

  private notifyIdle(): void {
    if (this.steps.busy() || this.runs.running() > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async step(): Promise<void> {
    const { deps } = this;
    const settings = await deps.settings();
    const baseTip = await deps.landing.baseTip(deps.baseBranch);
    const units = orderTrain(
      await deps.store.list({ status: 'VERIFYING' }),
      this.runs.startedChunks(),
      await this.analyses(),
    );
    if (baseTip === null) {
      this.publish(snapshotOf(deps.baseBranch, null, settings, [], 'unknown', this.runs));
      for (const u of units) await this.outcomes.baseMissing(u);
      return;
    }
    this.runs.keepStarted(new Set(units.map((u) => u.chunk)));
    const entries = await this.build(units, baseTip, settings);
    if (settings.source === 'invalid') {
      // nothing lands unverified because a settings file broke: hold until it is fixed
      this.runs.cancelStale(new Set(), baseTip);
      this.publish(snapshotOf(deps.baseBranch, baseTip, settings, entries, 'unknown', this.runs));
      return;
    }
    this.runs.cancelStale(new Set(entries.map((e) => e.spec)), baseTip);
    const baseHealth = this.runs.baseHealth(baseTip, settings.flakyReruns);
    const actions = planTrain({
      entries,
      baseTip,
      freeSlots: settings.parallelism - this.runs.running(),
      baseHealth,
    });
    const byChunk = new Map(units.map((u) => [u.chunk as string, u]));
    // verifications first: they only start processes, and no other action changes another entry's tree
    for (const a of actions) {
      if (a.kind === 'verify') {
        const e = entries.find((x) => x.chunk === a.chunk) as TrainEntryView;
        this.runs.startUnit(byChunk.get(a.chunk) as WorkUnit, e, baseTip, settings);
      } else if (a.kind === 'check_base') this.runs.startBaseCheck(baseTip, settings);
    }
    const shown = entries.map((e) => ({
      ...e,
      running: e.spec !== null && Boolean(this.runs.tree(e.spec)?.running),
    }));
    this.publish(
      snapshotOf(
        deps.baseBranch,
        baseTip,
        settings,
        shown,
        this.runs.baseHealth(baseTip, settings.flakyReruns),
        this.runs,
      ),
    );
    let changed = false;
    for (const a of actions) {
      const unit = byChunk.get('chunk' in a ? a.chunk : '');
      if (!unit || a.kind === 'verify' || a.kind === 'check_base') continue;
      changed = (await this.act(a, unit, settings)) || changed;
    }
    if (changed) this.kick();
  }

  /** Builds every entry's tree on the chain ahead of it; cached by (parent, branch tip). */
  private async build(
    units: WorkUnit[],
    baseTip: string,
    settings: TrainSettings,
  ): Promise<TrainEntryView[]> {
    const tips = await this.deps.worktrees.branchTips();
    const used = new Set<string>();
    const entries: TrainEntryView[] = [];
    let parent = baseTip;
    const ahead: string[] = [];
    for (const u of units) {
      const tip = tips.get(u.chunk) ?? null;
      const merge = tip === null ? ({ kind: 'contained' } as const) : await this.merge(parent, tip, u, used);
      let conflictsWithBase = false;
      if (merge.kind === 'conflict' && parent !== baseTip && tip !== null) {
        conflictsWithBase = (await this.merge(baseTip, tip, u, used)).kind === 'conflict';
      }
      const spec = merge.kind === 'commit' ? merge.commit : merge.kind === 'contained' ? parent : null;
      const tree = spec !== null && merge.kind === 'commit' ? this.runs.tree(spec) : null;
      const e: TrainEntryView = {
        chunk: u.chunk,
        spec,
        parent,
        ahead: [...ahead],
        conflictFiles: merge.kind === 'conflict' ? merge.files : null,
        conflictsWithBase,
        contained: merge.kind === 'contained',
        verdict: tree ? verdictOf(tree, settings.flakyReruns) : 'none',
        running: tree?.running !== null && tree?.running !== undefined,
        skipVerify: u.land_unverified || settings.command === null,
      };
      entries.push(e);
      if (joinsChain(e)) {
        parent = e.spec as string;
        ahead.push(u.chunk);
      }
    }
    for (const key of this.merges.keys()) if (!used.has(key)) this.merges.delete(key);
    return entries;
  }

  private async merge(
    parent: string,
    tip: string,
    u: WorkUnit,
    used: Set<string>,
  ): Promise<SpeculativeMerge> {
    const key = `${parent}:${tip}`;
    used.add(key);
    let m = this.merges.get(key);
    if (!m) {
      const branch = `orch/${u.chunk}`;
      m = await this.deps.landing.speculate({ parent, branch, tip, base: this.deps.baseBranch });
      this.merges.set(key, m);
    }
    return m;
  }

  /** Performs one structural action; true when the train changed. */
  private async act(a: TrainAction, unit: WorkUnit, settings: TrainSettings): Promise<boolean> {
    switch (a.kind) {
      case 'land':
        return this.outcomes.land(unit, a.commit, a.expectedBase, a.verified, settings);
      case 'finish':
        return this.outcomes.finishContained(unit);
      case 'rebase':
        return this.outcomes.conflict(unit, a.files);
      case 'blame':
        return this.outcomes.blame(unit, a.spec, settings);
      case 'base_broken':
        return this.outcomes.baseBroken(unit, settings);
      default:
        return false;
    }
  }

  private async analyses() {
    return this.deps.store.listConflicts();
  }

  private publish(snapshot: TrainSnapshot): void {
    this.snapshot = snapshot;
    const text = JSON.stringify(snapshot);
    if (text === this.lastSnapshot) return;
    this.lastSnapshot = text;
    this.deps.bus.publish({ type: 'train_changed', train: snapshot });
  }
}

export type { VerifyResult };
