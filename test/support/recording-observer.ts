/**
 * A PhaseObserver for tests: records events and questions, answers questions through a function
 * the test gives, pushes guidance on demand and can abort. `next(predicate)` waits for an event.
 */
import type { QuestionItem } from '../../src/domain/work-unit.js';
import type { AgentEvent, PhaseObserver, QuestionAnswer } from '../../src/ports/agent-backend.js';

export interface RecordingObserver {
  observer: PhaseObserver;
  events: AgentEvent[];
  questions: QuestionItem[][];
  abort(reason?: string): void;
  /** sends guidance to every registered receiver; false if none is registered */
  guide(text: string): boolean;
  /** resolves with the first event (already seen or future) matching the predicate */
  next(predicate: (e: AgentEvent) => boolean): Promise<AgentEvent>;
}

export function recordingObserver(
  opts: { answer?: (q: QuestionItem[]) => QuestionAnswer | Promise<QuestionAnswer> } = {},
): RecordingObserver {
  const ac = new AbortController();
  const events: AgentEvent[] = [];
  const questions: QuestionItem[][] = [];
  const receivers = new Set<(text: string) => void>();
  const waiters: { predicate: (e: AgentEvent) => boolean; resolve: (e: AgentEvent) => void }[] = [];
  const observer: PhaseObserver = {
    signal: ac.signal,
    onEvent(e) {
      events.push(e);
      for (const w of [...waiters]) {
        if (!w.predicate(e)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    },
    async onQuestion(q) {
      questions.push(q);
      if (opts.answer) return opts.answer(q);
      // unanswered: like the runner, reject once the phase is aborted
      return new Promise<QuestionAnswer>((_, reject) => {
        const fail = () => reject(new Error('phase aborted before the operator answered'));
        if (ac.signal.aborted) fail();
        else ac.signal.addEventListener('abort', fail, { once: true });
      });
    },
    onGuidance(receiver) {
      receivers.add(receiver);
      return () => receivers.delete(receiver);
    },
  };
  return {
    observer,
    events,
    questions,
    abort: (reason) => ac.abort(reason ?? 'test abort'),
    guide(text) {
      for (const r of receivers) r(text);
      return receivers.size > 0;
    },
    next(predicate) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

/** Answers each question with the option of this label (or the first option). */
export function answerWith(label?: string) {
  return (qs: QuestionItem[]): QuestionAnswer => ({
    answers: Object.fromEntries(qs.map((q) => [q.question, label ?? q.options[0]?.label ?? ''])),
  });
}
