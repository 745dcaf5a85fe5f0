/**
 * FakeAgentBackend: an in-memory AgentBackend scripted per (chunk, phase), for scheduler and runner
 * tests. It keeps the port's promises (checked by test/contracts/agent-backend.contract.ts): events
 * with a session and a result, questions through the observer, guidance, abort → `aborted`.
 *
 *   fake.script('feat', 'IMPLEMENT', [{ text: 'working' }, { ask: questions }, { complete: {} }]);
 *   const run = await fake.whenStarted('feat', 'IMPLEMENT');
 *
 * Unscripted runs complete at once with result text `done`; a completed IMPLEMENT or REBASE run
 * leaves a change in its worktree (src/<chunk>.txt), uncommitted, as a forgetful agent would.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Phase, QuestionItem } from '../../src/domain/work-unit.js';
import type {
  AgentBackend,
  AgentEvent,
  AgentFailure,
  PhaseObserver,
  PhaseOutcome,
  PhaseRequest,
  QuestionAnswer,
  ReviewDecision,
  Usage,
} from '../../src/ports/agent-backend.js';

export type FakeStep =
  | { event: AgentEvent }
  | { text: string }
  /** asks through observer.onQuestion; the answer becomes `{{last}}` */
  | { ask: QuestionItem[] }
  /** waits for one guidance message; it becomes `{{last}}` */
  | { awaitGuidance: true }
  /** waits for a promise the test controls */
  | { wait: Promise<unknown> }
  | { review: ReviewDecision }
  /** runs until the observer's signal fires */
  | { hang: true }
  /** does what an agent's tools would, in the request's worktree (wherever that is) */
  | { act: (request: PhaseRequest) => unknown }
  /**
   * the run completes; an IMPLEMENT or REBASE run has then changed `src/<chunk>.txt` in its worktree,
   * as an agent that did its work would (`idle: true`: it changed nothing)
   */
  | { complete: { result_text?: string; usage?: Partial<Usage>; idle?: boolean } }
  | { fail: Partial<AgentFailure> & Pick<AgentFailure, 'code'>; usage?: Partial<Usage> }
  /** runPhase rejects with this error (a backend bug, not an agent failure) */
  | { throw: Error };

export interface FakeRun {
  request: PhaseRequest;
  session_id: string;
  events: AgentEvent[];
  answers: QuestionAnswer[];
  guidance: string[];
  /** set when the run has ended */
  outcome: PhaseOutcome | null;
  /** resolves with the outcome (or rejects for a `throw` step) */
  done: Promise<PhaseOutcome>;
}

const key = (chunk: string, phase: Phase) => `${chunk}\u0000${phase}`;
const ZERO: Usage = { cost_usd: 0, tokens_in: 0, tokens_out: 0 };

export class FakeAgentBackend implements AgentBackend {
  readonly name = 'fake';
  readonly runs: FakeRun[] = [];
  private readonly scripts = new Map<string, FakeStep[][]>();
  private defaultSteps: FakeStep[] = [];
  private startWaiters: { chunk: string; phase?: Phase; seen: number; resolve: (r: FakeRun) => void }[] = [];
  private counter = 0;

  /** Queues the steps of the next run of (chunk, phase); call again to script later runs. */
  script(chunk: string, phase: Phase, steps: FakeStep[]): this {
    const k = key(chunk, phase);
    this.scripts.set(k, [...(this.scripts.get(k) ?? []), steps]);
    return this;
  }

  /** Steps for runs without a script of their own (default: complete at once). */
  setDefault(steps: FakeStep[]): this {
    this.defaultSteps = steps;
    return this;
  }

  /** Resolves with the next run of `chunk` (and `phase`) to start after this call. */
  whenStarted(chunk: string, phase?: Phase): Promise<FakeRun> {
    const seen = this.runsOf(chunk, phase).length;
    return new Promise((resolve) => this.startWaiters.push({ chunk, phase, seen, resolve }));
  }

  runsOf(chunk: string, phase?: Phase): FakeRun[] {
    return this.runs.filter((r) => r.request.chunk === chunk && (!phase || r.request.phase === phase));
  }

  /** Runs that have started and not ended. */
  running(): FakeRun[] {
    return this.runs.filter((r) => r.outcome === null);
  }

  runPhase(request: PhaseRequest, observer: PhaseObserver): Promise<PhaseOutcome> {
    const queue = this.scripts.get(key(request.chunk, request.phase));
    const steps = queue?.shift() ?? this.defaultSteps;
    const run: FakeRun = {
      request,
      session_id: request.resumeSessionId ?? `fake-${request.chunk}-${request.phase}-${++this.counter}`,
      events: [],
      answers: [],
      guidance: [],
      outcome: null,
      done: Promise.resolve(null as unknown as PhaseOutcome),
    };
    run.done = this.execute(run, steps, observer).then((o) => {
      run.outcome = o;
      return o;
    });
    this.runs.push(run);
    for (const w of [...this.startWaiters]) {
      if (w.chunk !== request.chunk || (w.phase && w.phase !== request.phase)) continue;
      if (this.runsOf(w.chunk, w.phase).length <= w.seen) continue;
      this.startWaiters.splice(this.startWaiters.indexOf(w), 1);
      w.resolve(run);
    }
    return run.done;
  }

  private async execute(run: FakeRun, steps: FakeStep[], observer: PhaseObserver): Promise<PhaseOutcome> {
    const { signal } = observer;
    const emit = (e: AgentEvent) => {
      run.events.push(e);
      observer.onEvent(e);
    };
    const aborted = (): PhaseOutcome => ({ kind: 'aborted', session_id: run.session_id, usage: ZERO });
    if (signal.aborted) return aborted();
    const guidance: string[] = [];
    let guidanceWaiter: (() => void) | null = null;
    const stopGuidance = observer.onGuidance((text) => {
      run.guidance.push(text);
      guidance.push(text);
      emit({ type: 'guidance', text });
      guidanceWaiter?.();
    });
    let review: ReviewDecision | null = null;
    let last = '';
    try {
      emit({ type: 'session', session_id: run.session_id, model: 'fake' });
      for (const step of steps) {
        if (signal.aborted) return aborted();
        if ('event' in step) emit(step.event);
        else if ('text' in step) emit({ type: 'text', text: step.text });
        else if ('ask' in step) {
          emit({ type: 'question', question_id: `q-${run.session_id}`, questions: step.ask });
          const answer = await untilAborted(observer.onQuestion(step.ask), signal);
          if (!answer) return aborted();
          run.answers.push(answer);
          last = Object.values(answer.answers).join(', ');
        } else if ('awaitGuidance' in step) {
          if (guidance.length === 0) {
            const got = await untilAborted(new Promise<void>((ok) => (guidanceWaiter = ok)), signal);
            if (got === null) return aborted();
          }
          last = guidance.shift() ?? '';
        } else if ('wait' in step) {
          if (
            (await untilAborted(
              step.wait.then(() => true),
              signal,
            )) === null
          )
            return aborted();
        } else if ('act' in step) await step.act(run.request);
        else if ('review' in step) review = step.review;
        else if ('hang' in step) {
          await untilAborted(new Promise<never>(() => {}), signal);
          return aborted();
        } else if ('throw' in step) throw step.throw;
        else if ('fail' in step) {
          const failure: AgentFailure = {
            message: `scripted ${step.fail.code}`,
            retryable: false,
            ...step.fail,
          };
          emit(resultEvent(run, true, failure.message));
          return { kind: 'failed', session_id: run.session_id, usage: { ...ZERO, ...step.usage }, failure };
        } else if ('complete' in step) {
          return this.completed(run, emit, review, step.complete, last);
        }
      }
      return this.completed(run, emit, review, {}, last);
    } finally {
      stopGuidance();
    }
  }

  private completed(
    run: FakeRun,
    emit: (e: AgentEvent) => void,
    review: ReviewDecision | null,
    c: { result_text?: string; usage?: Partial<Usage>; idle?: boolean },
    last: string,
  ): PhaseOutcome {
    const { chunk, phase, worktree } = run.request;
    if ((phase === 'IMPLEMENT' || phase === 'REBASE') && !c.idle && existsSync(worktree)) {
      mkdirSync(join(worktree, 'src'), { recursive: true });
      appendFileSync(join(worktree, 'src', `${chunk}.txt`), `${phase} by ${run.session_id}\n`);
    }
    const result_text = (c.result_text ?? (last ? `done: ${last}` : 'done')).replaceAll('{{last}}', last);
    emit(resultEvent(run, false, result_text));
    return {
      kind: 'completed',
      session_id: run.session_id,
      usage: { ...ZERO, ...c.usage },
      review,
      result_text,
    };
  }
}

function resultEvent(run: FakeRun, isError: boolean, text: string): AgentEvent {
  return {
    type: 'result',
    subtype: 'success',
    is_error: isError,
    num_turns: 1,
    total_cost_usd: 0,
    duration_ms: 0,
    session_id: run.session_id,
    result_text: text,
  };
}

/** The value of `p`, or null if the signal fires first (a rejection of `p` also counts as aborted). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | null> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(null);
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(null);
      },
    );
  });
}
