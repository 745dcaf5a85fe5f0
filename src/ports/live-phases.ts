/**
 * Phases in flight in this daemon, as the operator's commands see them. The scheduler owns this
 * runtime state (DESIGN §2); the API's services act on it only through this port.
 */
import type { QuestionAnswer } from './agent-backend.js';

export type AbortReason = 'stop' | 'kill-ready' | 'kill-attention' | 'stall' | 'delete' | 'hold-expired';

export interface LivePhases {
  /** chunks with a phase in flight (including ones parked on a question) */
  running(): string[];
  /** phases doing work now: in flight minus those waiting for the operator */
  activeCount(): number;
  /** the id of the question a live agent is waiting on, or null */
  waitingQuestion(chunk: string): string | null;
  /** hands the answer to the waiting agent; false when no live agent waits on that question */
  deliverAnswer(chunk: string, questionId: string, answer: QuestionAnswer): boolean;
  /** pushes operator guidance into the running session; false when nothing runs */
  sendGuidance(chunk: string, text: string): boolean;
  /** interrupts the phase and resolves once it has ended; false when nothing ran */
  abort(chunk: string, reason: AbortReason): Promise<boolean>;
}

/** One phase execution, started by the scheduler and finished by the runner. */
export interface PhaseHandle {
  readonly chunk: string;
  /** settles when the phase and its outcome transition are done; never rejects */
  readonly done: Promise<void>;
  abort(reason: AbortReason): void;
  sendGuidance(text: string): boolean;
  waitingQuestion(): string | null;
  deliverAnswer(questionId: string, answer: QuestionAnswer): boolean;
}
