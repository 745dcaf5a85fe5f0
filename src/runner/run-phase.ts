/**
 * Runs one phase of one unit (DESIGN §2 "runner"): prepare the worktree, run the agent, log its events,
 * and turn the outcome into exactly one state transition. The scheduler has already marked it RUNNING.
 */
import { randomUUID } from 'node:crypto';
import type { OrchestratorConfig } from '../config/schema.js';
import { HostUnreachableError } from '../domain/errors.js';
import { CODE_PHASES, type PendingQuestion, type QuestionItem, type WorkUnit } from '../domain/work-unit.js';
import type { PhaseObserver, PhaseOutcome, QuestionAnswer, Usage } from '../ports/agent-backend.js';
import type { SetupResult } from '../ports/dependencies.js';
import type { PhaseHandle } from '../ports/live-phases.js';
import type { Logger } from '../ports/logger.js';
import type { LogEvent } from '../ports/phase-log.js';
import type { PhaseRunner } from '../ports/phase-runner.js';
import { failedOutcome } from '../ports/store.js';
import { decideAfterPhase, decideBeforePhase } from './after-phase.js';
import { applyDecision } from './apply-decision.js';
import { decidePhaseBudget } from './budget-decisions.js';
import { finalizeUnit } from './finalize.js';
import { LivePhase } from './live-phase.js';
import { gatherPhaseFacts } from './phase-facts.js';
import { type RemoteDeps, RemotePhase, waitForHost } from './remote-phase.js';
import { keepImplementerAnswer, previousReviewRound } from './review-rounds.js';
import type { RunnerDeps } from './runner-deps.js';

export type { RunnerDeps };
export const REVIEW_FEEDBACK_FILE = 'REVIEW_FEEDBACK.md';

const NO_USAGE: Usage = { cost_usd: 0, tokens_in: 0, tokens_out: 0 };

export class AgentPhaseRunner implements PhaseRunner {
  constructor(private readonly deps: RunnerDeps) {}

  start(unit: WorkUnit): PhaseHandle {
    const live = new LivePhase(unit.chunk, this.deps.clock.now());
    live.done = this.execute(unit, live).catch((error: unknown) => {
      this.deps.log.error('runner failed', { chunk: unit.chunk, phase: unit.phase, error });
    });
    return live;
  }

  private async execute(claimed: WorkUnit, live: LivePhase): Promise<void> {
    const { store, worktrees } = this.deps;
    const log = this.deps.log.child({ chunk: claimed.chunk, phase: claimed.phase });
    let unit = claimed;
    try {
      const config = await store.getConfig();
      if (unit.finalizing && unit.base_branch !== null && !(await worktrees.exists(unit.chunk))) {
        // a crash after the merge landed and the worktree was removed: finish it without a new
        // worktree (and setup run) for work that is already on base
        await finalizeUnit(this.deps, unit, config);
        return;
      }
      const base = unit.base_branch ?? this.deps.baseBranch;
      const wt = await worktrees.ensure(unit.chunk, { baseBranch: base });
      if (unit.worktree !== wt.path || unit.base_branch !== base) {
        unit = await store.update(unit.chunk, { worktree: wt.path, base_branch: base }, { source: 'runner' });
      }
      // placed on another host: its worktree there, and what a cut phase left there back here first
      const remote = await this.openRemote(unit, base, wt.path);
      if (remote) unit = remote.unit;
      if (unit.finalizing) {
        await finalizeUnit(this.deps, unit, config);
        return;
      }
      // on another host the dependencies go into the host's worktree, not the daemon's copy
      const setup = remote
        ? await remote.ensureSetup(config)
        : await this.dependenciesFor(unit, wt.path, config, live, log);
      if (setup.kind !== 'ready') {
        await this.setupNotReady(unit, setup, config, live);
        return;
      }
      await this.activate(unit, wt.path);
      const feedback = await this.deps.chunks.readArtifact(unit.chunk, REVIEW_FEEDBACK_FILE, wt.path);
      const instead = decideBeforePhase(unit, {
        config,
        feedbackPresent: feedback !== null,
        feedbackFile: REVIEW_FEEDBACK_FILE,
      });
      if (instead) {
        await applyDecision(this.deps, unit, instead, config);
        return;
      }
      if (unit.phase_start_tip === null) {
        // what the phase commits is measured from here, across every session it takes
        const { tip } = await worktrees.inspect(unit.chunk, null);
        unit = await store.update(unit.chunk, { phase_start_tip: tip }, { source: 'runner' });
      }

      // a limit reached since the dispatch (another phase's spend) stops the phase before it starts
      const budget = decidePhaseBudget(unit, config, await store.projectWindow(config));
      if ('instead' in budget) {
        await applyDecision(this.deps, unit, budget.instead, config);
        return;
      }
      const outcome = await this.runAgent(unit, live, config, log, {
        feedback: unit.phase === 'IMPLEMENT' ? feedback : null,
        maxBudgetUsd: budget.maxBudgetUsd,
        remote,
      });
      await keepImplementerAnswer(this.deps.reviewRounds, unit, outcome, log);
      const fresh = await store.get(unit.chunk);
      if (!fresh) return;
      const facts =
        outcome.kind === 'completed' && fresh.status === 'RUNNING' && fresh.phase !== 'REVIEW'
          ? await gatherPhaseFacts(this.deps, fresh, (event) => this.record(fresh, event))
          : null;
      const decision = decideAfterPhase(fresh, outcome, {
        config,
        abortReason: live.abortReason,
        facts,
        project: await store.projectWindow(config),
        now: this.deps.clock.now(),
      });
      log.info('phase ended', {
        outcome: outcome.kind,
        decision: decision.kind,
        session: outcome.session_id,
      });
      if (decision.kind === 'nudge' || decision.kind === 'ask' || decision.kind === 'extend') {
        this.record(fresh, {
          type: 'check',
          decision: decision.kind,
          text: 'note' in decision ? decision.note : decision.question,
        });
      }
      await applyDecision(this.deps, fresh, decision, config);
    } catch (e) {
      if (e instanceof HostUnreachableError) {
        // not the agent's failure: the unit waits for its host, nothing counts against its retries
        await waitForHost(this.remoteDeps(), unit.chunk, e);
        return;
      }
      log.error('phase failed unexpectedly', { error: e });
      await this.recordCrash(unit.chunk, messageOf(e), log);
    }
  }

  /**
   * Issue 11 §4: the worktree's dependency setup starts with the unit's first phase and runs while
   * GOAL and PLAN do; a phase that builds or tests code waits for it (or for its failure).
   */
  private async dependenciesFor(
    unit: WorkUnit,
    worktree: string,
    config: OrchestratorConfig,
    live: LivePhase,
    log: Logger,
  ): Promise<SetupResult> {
    const { dependencies } = this.deps;
    if (!CODE_PHASES.includes(unit.phase)) {
      dependencies.start(unit.chunk, worktree, config);
      return { kind: 'ready' };
    }
    log.info('waiting for the dependency setup');
    return dependencies.ready(unit.chunk, worktree, config, live.controller.signal);
  }

  /** A failed setup is a SETUP item; stopped while waiting, the unit is decided like an agent stopped before its first turn. */
  private async setupNotReady(
    unit: WorkUnit,
    setup: Exclude<SetupResult, { kind: 'ready' }>,
    config: OrchestratorConfig,
    live: LivePhase,
  ): Promise<void> {
    if (setup.kind === 'failed') return this.attend(unit, 'SETUP', `Setup failed: ${setup.message}`);
    const fresh = await this.deps.store.get(unit.chunk);
    if (!fresh) return;
    const aborted: PhaseOutcome = { kind: 'aborted', session_id: unit.session_id, usage: NO_USAGE };
    const decision = decideAfterPhase(fresh, aborted, {
      config,
      abortReason: live.abortReason,
      facts: null,
      project: null, // only a budget stop reads the project's window
      now: this.deps.clock.now(),
    });
    await applyDecision(this.deps, fresh, decision, config);
  }

  /**
   * A phase that threw must not leave its unit RUNNING until the next restart: it becomes an ERROR item,
   * retried on a stale version; if even that cannot be written, the scheduler finds the unit RUNNING
   * without a phase when the phase's handle settles, and raises it (Scheduler.raiseIfOrphaned).
   */
  private async recordCrash(chunk: string, message: string, log: Logger): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const current = await this.deps.store.get(chunk);
        if (current?.status !== 'RUNNING') return;
        await this.attend(current, 'ERROR', message);
        return;
      } catch (error) {
        log.error('could not record the failed phase', { attempt, error });
      }
    }
  }

  private openRemote(unit: WorkUnit, base: string, local: string): Promise<RemotePhase | null> {
    return this.deps.hosts ? RemotePhase.open(this.remoteDeps(), unit, base, local) : Promise.resolve(null);
  }

  private remoteDeps(): RemoteDeps {
    const { store, worktrees, clock, log, hosts } = this.deps;
    if (!hosts) throw new Error('no host pool');
    return { store, worktrees, clock, log, hosts };
  }

  /**
   * FUTURE → IMPLEMENTING in the worktree on the first dispatch of any phase (reference §1.7 gap fixed).
   * Any other GOAL.md is left alone, one that does not parse included: that is the agent's to fix, and
   * COMPLETE's exit check shows it the YAML error (reading it strictly here made it an ERROR instead).
   * ve commits its own edit, so the log does not list it among what the agent left uncommitted; when
   * anything else is uncommitted too (a setup's untracked output), it stays in the tree as before.
   */
  private async activate(unit: WorkUnit, worktree: string): Promise<void> {
    const goal = await this.deps.chunks.inspectGoal(unit.chunk, worktree);
    if (goal?.error !== null || (goal.status ?? 'FUTURE') !== 'FUTURE') return;
    await this.deps.chunks.setStatus(unit.chunk, 'IMPLEMENTING', worktree);
    const { dirty } = await this.deps.worktrees.inspect(unit.chunk, null);
    if (dirty.length === 1 && dirty[0] === `docs/chunks/${unit.chunk}/GOAL.md`) {
      await this.deps.worktrees.commitAll(unit.chunk, `ve: ${unit.chunk} is IMPLEMENTING`);
    }
  }

  /** `maxBudgetUsd`: the phase's spending cap (domain/budget.ts), which Claude Code enforces */
  private async runAgent(
    unit: WorkUnit,
    live: LivePhase,
    config: OrchestratorConfig,
    log: Logger,
    run: { feedback: string | null; maxBudgetUsd: number | null; remote: RemotePhase | null },
  ): Promise<PhaseOutcome> {
    const { store, clock } = this.deps;
    const { remote } = run;
    const host = remote ? await remote.begin() : undefined;
    let sessionId = unit.session_id;
    const runId = await store.startPhaseRun(unit.chunk, unit.phase, sessionId);
    const stall = this.watchStall(live, config);
    const observer: PhaseObserver = {
      signal: live.controller.signal,
      onEvent: (event) => {
        live.lastActivity = clock.now();
        if (event.type === 'session' && event.session_id !== sessionId) {
          sessionId = event.session_id;
          // saved at once, so a kill -9 mid-phase resumes this conversation instead of starting over
          store
            .update(unit.chunk, { session_id: sessionId }, { source: 'runner' })
            .catch((error: unknown) => log.warn('session id not saved', { session: sessionId, error }));
        }
        this.record(unit, event);
      },
      onQuestion: (questions) => this.park(unit, live, questions, () => sessionId),
      onGuidance: (receiver) => live.onGuidance(receiver),
    };
    let outcome: PhaseOutcome;
    try {
      outcome = await this.deps.backend.runPhase(
        {
          chunk: unit.chunk,
          phase: unit.phase,
          worktree: remote ? remote.worktree.path : (unit.worktree as string),
          hostRoot: remote ? remote.worktree.root : this.deps.hostRoot,
          baseBranch: unit.base_branch as string,
          resumeSessionId: unit.session_id,
          operatorAnswer: unit.pending_answer,
          systemNote: unit.pending_nudge,
          reentryContext: unit.reentry_context,
          reviewFeedback: run.feedback,
          previousReview: await previousReviewRound(this.deps.reviewRounds, unit),
          maxTurns: config.max_turns,
          maxBudgetUsd: run.maxBudgetUsd,
          model: config.model,
          osSandbox: config.agent_sandbox,
          ...(host ? { host } : {}),
        },
        observer,
      );
    } finally {
      stall();
    }
    // the phase's work comes back from its host before anything central looks at it
    const lost = remote ? await remote.end() : null;
    await store.endPhaseRun(runId, {
      outcome: lost
        ? 'host_lost'
        : outcome.kind === 'failed'
          ? failedOutcome(outcome.failure.code)
          : outcome.kind,
      session_id: outcome.session_id ?? sessionId,
      cost_usd: outcome.usage.cost_usd,
      tokens_in: outcome.usage.tokens_in,
      tokens_out: outcome.usage.tokens_out,
      error: lost ? lost.message : outcome.kind === 'failed' ? outcome.failure.message.slice(0, 2000) : null,
    });
    if (outcome.usage.cost_usd > 0 || outcome.usage.tokens_in > 0 || outcome.usage.tokens_out > 0) {
      await store
        .addUsage(unit.chunk, outcome.usage)
        .catch((e: unknown) => log.warn('usage not recorded', { error: e }));
    }
    if (lost) throw lost;
    return outcome.session_id === null && sessionId !== null
      ? { ...outcome, session_id: sessionId }
      : outcome;
  }

  /** The agent asked the operator: persist the question, park the agent, hand back the answer. */
  private async park(
    unit: WorkUnit,
    live: LivePhase,
    questions: QuestionItem[],
    session: () => string | null,
  ): Promise<QuestionAnswer> {
    const { store, clock } = this.deps;
    const question: PendingQuestion = {
      id: randomUUID(),
      phase: unit.phase,
      questions,
      asked_at: new Date(clock.now()).toISOString(),
    };
    const reason = `Question: ${questions[0]?.question ?? 'the agent asked a question'}`;
    const waiting = live.park(question.id);
    // armed before the item is visible, so nothing can observe the question without its hold timer
    const holdMs = (this.deps.questionHoldSeconds ?? 900) * 1000;
    const cancel = clock.at(clock.now() + holdMs, () => live.abort('hold-expired'));
    await store.transition(
      unit.chunk,
      { type: 'attend', kind: 'QUESTION', reason, question, session_id: session() },
      { source: 'runner', reason },
    );
    this.record(unit, { type: 'question', question_id: question.id, questions });
    try {
      const answer = await waiting;
      live.lastActivity = clock.now();
      // the answer reached the session: it no longer needs to be carried into a resume
      await store.update(unit.chunk, { pending_answer: null }, { source: 'runner' });
      return answer;
    } finally {
      cancel();
    }
  }

  private watchStall(live: LivePhase, config: OrchestratorConfig): () => void {
    const { clock } = this.deps;
    const limit = config.stall_timeout_seconds * 1000;
    let cancel = () => {};
    const arm = (at: number) => {
      cancel = clock.at(at, () => {
        if (live.waitingQuestion() !== null) return arm(clock.now() + limit);
        const idle = clock.now() - live.lastActivity;
        if (idle >= limit) live.abort('stall');
        else arm(live.lastActivity + limit);
      });
    };
    arm(live.lastActivity + limit);
    return () => cancel();
  }

  private record(unit: WorkUnit, event: LogEvent): void {
    const stamped = { ...event, at: new Date(this.deps.clock.now()).toISOString() };
    const seq = this.deps.phaseLog.append(unit.chunk, unit.phase, stamped);
    this.deps.bus.publish({
      type: 'phase_log',
      chunk: unit.chunk,
      phase: unit.phase,
      event: { seq, event: stamped },
    });
  }

  private async attend(unit: WorkUnit, kind: 'SETUP' | 'ERROR', reason: string): Promise<void> {
    await this.deps.store.transition(
      unit.chunk,
      { type: 'attend', kind, reason },
      { source: 'runner', reason },
    );
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
