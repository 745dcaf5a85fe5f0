/**
 * The train's verifications in flight and what each tree's runs have shown, by tree (the speculative
 * commit). A verification is recorded in the store before its process starts and ended after it
 * exits; live output goes to the unit's VERIFY log stream, batched.
 */
import { type BaseHealth, type TrainEntryView, verdictOf } from '../domain/train.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { VerifyLogEvent } from '../ports/phase-log.js';
import type { VerifyResult } from '../ports/train.js';
import type { TrainDeps, TrainSettings } from './train-deps.js';

/** Live output sent to the log stream per run; the full output is in the run's log file. */
const STREAMED_OUTPUT_CAP = 512 * 1024;
const FLUSH_MS = 200;

interface Running {
  runId: number;
  chunk: string | null;
  spec: string;
  slot: number;
  controller: AbortController;
  started_at: string;
}

export interface TreeRuns {
  passes: number;
  fails: number;
  running: Running | null;
  /** failed runs, oldest first: marked flaky if a re-run passes; the last one is what a blame reports */
  failures: { runId: number; result: VerifyResult }[];
  latest: { id: number; started_at: string; outcome: string | null; duration_ms: number | null } | null;
}

export class VerifyRuns {
  private readonly trees = new Map<string, TreeRuns>();
  private readonly active = new Set<Running>();
  private readonly started = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly deps: TrainDeps,
    private readonly onFinished: () => void,
  ) {}

  /** Runs the previous daemon left open: their processes are killed and the runs closed as interrupted. */
  async recover(): Promise<void> {
    for (const run of await this.deps.runs.openVerifyRuns()) {
      const marker = this.marker(run.id);
      const killed = this.deps.verifier.killOrphan({ marker, pid: run.pid, startTime: run.pid_start });
      if (killed > 0)
        this.deps.log.warn('killed verify processes left by a previous daemon', { run: run.id, killed });
      await this.deps.runs.endVerifyRun(run.id, {
        outcome: 'interrupted',
        exit_code: null,
        duration_ms: null,
        tail: 'the daemon stopped during this verification; it runs again',
      });
    }
  }

  running(): number {
    return this.active.size;
  }

  tree(spec: string): TreeRuns | undefined {
    return this.trees.get(spec);
  }

  latest(spec: string): TreeRuns['latest'] {
    return this.trees.get(spec)?.latest ?? null;
  }

  lastFailure(spec: string): { runId: number; result: VerifyResult } | null {
    return this.trees.get(spec)?.failures.at(-1) ?? null;
  }

  startedChunks(): ReadonlySet<string> {
    return this.started;
  }

  baseHealth(baseTip: string, flakyReruns: number): BaseHealth {
    const t = this.trees.get(baseTip);
    if (!t) return 'unknown';
    if (t.running) return 'running';
    const v = verdictOf(t, flakyReruns);
    return v === 'passed' ? 'passed' : v === 'failed' ? 'failed' : 'unknown';
  }

  /** Cancels runs of trees no entry builds any more (an entry ahead left, base moved); forgets old trees. */
  cancelStale(specs: ReadonlySet<string | null>, baseTip: string): void {
    for (const r of this.active) {
      const current = r.chunk === null ? r.spec === baseTip : specs.has(r.spec);
      if (!current) r.controller.abort();
    }
    for (const [spec, t] of this.trees)
      if (!specs.has(spec) && spec !== baseTip && !t.running) this.trees.delete(spec);
  }

  /** Forgets which chunks started, for those no longer in the train. */
  keepStarted(chunks: ReadonlySet<string>): void {
    for (const c of this.started) if (!chunks.has(c)) this.started.delete(c);
  }

  startUnit(unit: WorkUnit, entry: TrainEntryView, baseTip: string, settings: TrainSettings): void {
    this.started.add(unit.chunk);
    this.start(unit.chunk, entry.spec as string, baseTip, entry.ahead, settings);
  }

  startBaseCheck(baseTip: string, settings: TrainSettings): void {
    this.start(null, baseTip, baseTip, [], settings);
  }

  async cancelAll(): Promise<void> {
    for (const r of this.active) r.controller.abort();
    await Promise.all(this.pending);
  }

  private start(
    chunk: string | null,
    spec: string,
    baseTip: string,
    ahead: string[],
    settings: TrainSettings,
  ): void {
    const tree = this.trees.get(spec) ?? { passes: 0, fails: 0, running: null, failures: [], latest: null };
    this.trees.set(spec, tree);
    const slot = this.freeSlot();
    const controller = new AbortController();
    const started_at = new Date(this.deps.clock.now()).toISOString();
    // claimed before the first await, so the same step cannot start this tree twice
    const running: Running = { runId: -1, chunk, spec, slot, controller, started_at };
    tree.running = running;
    this.active.add(running);
    const job = this.execute(running, tree, baseTip, ahead, settings)
      .catch((error: unknown) =>
        this.deps.log.error('verification failed unexpectedly', { chunk, spec, error }),
      )
      .finally(() => {
        if (tree.running === running) tree.running = null;
        this.active.delete(running);
        this.pending.delete(job);
        this.onFinished();
      });
    this.pending.add(job);
  }

  private async execute(
    r: Running,
    tree: TreeRuns,
    baseTip: string,
    ahead: string[],
    settings: TrainSettings,
  ) {
    const { deps } = this;
    const command = settings.command ?? 'true';
    r.runId = await deps.runs.startVerifyRun({
      chunk: r.chunk,
      purpose: r.chunk === null ? 'base' : 'unit',
      base_tip: baseTip,
      spec_commit: r.spec,
      ahead,
      command,
      slot: r.slot,
      log_path: null,
    });
    tree.latest = { id: r.runId, started_at: r.started_at, outcome: null, duration_ms: null };
    const stream = new OutputStream(deps, r.chunk, r.runId);
    stream.event({
      type: 'verify_started',
      run_id: r.runId,
      commit: r.spec,
      base_tip: baseTip,
      ahead,
      command,
    });
    const logFile = deps.logFile(r.chunk, r.runId);
    const result = await deps.verifier.run({
      slot: r.slot,
      commit: r.spec,
      command,
      timeoutMs: settings.timeoutSeconds * 1000,
      sandbox: settings.sandbox,
      logFile,
      onOutput: (text) => stream.output(text),
      onStarted: (pid, start, sandboxed) => {
        deps.runs
          .markVerifyRunProcess(r.runId, pid, start, sandboxed)
          .catch((error: unknown) => deps.log.warn('verify process not recorded', { run: r.runId, error }));
      },
      signal: r.controller.signal,
      marker: this.marker(r.runId),
    });
    stream.flush();
    const outcome = r.controller.signal.aborted && result.outcome !== 'passed' ? 'cancelled' : result.outcome;
    await deps.runs.endVerifyRun(r.runId, {
      outcome,
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
      tail: result.tail,
    });
    stream.event({
      type: 'verify_finished',
      run_id: r.runId,
      outcome,
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
      message: result.message,
    });
    tree.latest = { id: r.runId, started_at: r.started_at, outcome, duration_ms: result.durationMs };
    await this.record(tree, r, { ...result, outcome }, settings);
  }

  private async record(
    tree: TreeRuns,
    r: Running,
    result: VerifyResult,
    settings: TrainSettings,
  ): Promise<void> {
    const { deps } = this;
    if (result.outcome === 'passed') {
      tree.passes += 1;
      for (const f of tree.failures) {
        await deps.runs.markVerifyRunFlaky(f.runId);
        deps.log.warn('flaky verification: failed, then passed on the same tree', {
          chunk: r.chunk,
          spec: r.spec,
          failed_run: f.runId,
          passed_run: r.runId,
        });
      }
    } else if (result.outcome === 'failed' || result.outcome === 'timeout') {
      tree.fails += 1;
      tree.failures.push({ runId: r.runId, result });
    } else if (result.outcome === 'error') {
      // the verification could not run at all: re-running will not help, and it is not the unit's
      // fault (the blame turns it into an item for the operator)
      tree.fails = Math.max(tree.fails + 1, settings.flakyReruns + 1);
      tree.failures.push({ runId: r.runId, result });
    }
  }

  /** unique to this project's run: a restart of another project's daemon never kills ours */
  private marker(runId: number): string {
    return `${runId}@${this.deps.projectId}`;
  }

  private freeSlot(): number {
    const used = new Set([...this.active].map((r) => r.slot));
    let slot = 0;
    while (used.has(slot)) slot += 1;
    return slot;
  }
}

/** Live output into the unit's VERIFY log stream: batched, capped, and mirrored on the bus. */
class OutputStream {
  private buffer = '';
  private sent = 0;
  private timer: NodeJS.Timeout | null = null;
  private capped = false;

  constructor(
    private readonly deps: TrainDeps,
    private readonly chunk: string | null,
    private readonly runId: number,
  ) {}

  output(text: string): void {
    if (this.capped || this.chunk === null) return;
    this.buffer += text;
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer === '' || this.capped) return;
    let text = this.buffer;
    this.buffer = '';
    if (this.sent + text.length > STREAMED_OUTPUT_CAP) {
      text = `${text.slice(0, Math.max(0, STREAMED_OUTPUT_CAP - this.sent))}\n[ve: more output in ${this.deps.logFile(this.chunk, this.runId)}]\n`;
      this.capped = true;
    }
    this.sent += text.length;
    this.event({ type: 'verify_output', run_id: this.runId, text });
  }

  event(event: VerifyLogEvent): void {
    if (this.chunk === null) return;
    const stamped = { ...event, at: new Date(this.deps.clock.now()).toISOString() };
    const seq = this.deps.phaseLog.append(this.chunk, 'VERIFY', stamped);
    this.deps.bus.publish({
      type: 'phase_log',
      chunk: this.chunk,
      phase: 'VERIFY',
      event: { seq, event: stamped },
    });
  }
}
