/**
 * The runtime state of one phase in flight: its abort signal and reason, the question it is parked on,
 * guidance receivers, and the last time the agent showed activity (for stall detection).
 */
import type { QuestionAnswer } from '../ports/agent-backend.js';
import type { AbortReason, PhaseHandle } from '../ports/live-phases.js';

interface Waiter {
  questionId: string;
  resolve(answer: QuestionAnswer): void;
  reject(error: Error): void;
}

export class LivePhase implements PhaseHandle {
  readonly controller = new AbortController();
  abortReason: AbortReason | null = null;
  lastActivity: number;
  private waiter: Waiter | null = null;
  private readonly receivers = new Set<(text: string) => void>();
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly chunk: string,
    now: number,
  ) {
    this.lastActivity = now;
  }

  abort(reason: AbortReason): void {
    if (this.controller.signal.aborted) return;
    this.abortReason = reason;
    this.controller.abort(new Error(`phase aborted: ${reason}`));
    const w = this.waiter;
    this.waiter = null;
    w?.reject(new Error(`phase aborted while waiting for an answer: ${reason}`));
  }

  /** parks the agent until the operator answers (or the phase is aborted) */
  park(questionId: string): Promise<QuestionAnswer> {
    return new Promise((resolve, reject) => {
      if (this.controller.signal.aborted) {
        reject(new Error('phase already aborted'));
        return;
      }
      this.waiter = { questionId, resolve, reject };
    });
  }

  waitingQuestion(): string | null {
    return this.waiter?.questionId ?? null;
  }

  deliverAnswer(questionId: string, answer: QuestionAnswer): boolean {
    if (this.waiter?.questionId !== questionId) return false;
    const w = this.waiter;
    this.waiter = null;
    w.resolve(answer);
    return true;
  }

  onGuidance(receiver: (text: string) => void): () => void {
    this.receivers.add(receiver);
    return () => this.receivers.delete(receiver);
  }

  sendGuidance(text: string): boolean {
    if (this.receivers.size === 0 || this.controller.signal.aborted) return false;
    for (const r of this.receivers) r(text);
    return true;
  }
}
