/**
 * The work-unit state machine. The table below is the only definition of which status changes are
 * legal; `applyEvent` is pure and every writer (scheduler, runner, API, recovery) goes through it.
 */
import type { ChunkName } from './chunk-name.js';
import { InvalidTransitionError } from './errors.js';
import type { AttentionKind, PendingQuestion, Phase, Status, WorkUnit } from './work-unit.js';

export type UnitEvent =
  /** the scheduler hands the unit to a runner */
  | { type: 'dispatch'; worktree?: string | null; base_branch?: string | null }
  /** a phase succeeded; the unit waits for its next phase (fresh session) */
  | { type: 'advance'; phase: Phase; reentry_context?: string | null }
  /** back to READY in the same phase, keeping the session (transient error, usage limit, nudge, stop) */
  | {
      type: 'requeue';
      next_retry_at?: string | null;
      session_id?: string | null;
      api_retry_count?: number;
      pending_answer?: string | null;
      /** a note from the orchestrator the resumed session gets (a reminder, "continue") */
      pending_nudge?: string | null;
      reason?: string;
    }
  /** needs the operator */
  | {
      type: 'attend';
      kind: AttentionKind;
      reason: string;
      question?: PendingQuestion | null;
      session_id?: string | null;
      /** extra context for the attention log (e.g. the other chunk and files of a conflict) */
      details?: unknown;
    }
  /**
   * the operator approved what the phase produced (a PLAN item): the unit moves on to `phase` in a
   * fresh session, as `advance` does after a phase that needs no approval (the service checks the kind)
   */
  | { type: 'approve'; phase: Phase }
  /** the operator answered; the same phase resumes with the answer */
  | { type: 'answer'; answer: string }
  /** the operator answered a question the live agent is still waiting on: it continues at once */
  | { type: 'resume'; answer: string }
  /**
   * the operator restarts the phase in a fresh session with the retry budget reset; `continue_with`:
   * instead, the same session resumes with this note (a phase that used up its turns)
   */
  | { type: 'retry'; continue_with?: string }
  /**
   * the limit that parked the unit no longer applies (its budget was raised): READY on the same
   * session, which resumes with `note`
   */
  | { type: 'lift'; note: string }
  /** wait for other chunks */
  | { type: 'block'; blocked_by: ChunkName[]; reason?: string }
  /** blockers are gone */
  | { type: 'unblock' }
  /** the agent phases are done: join the landing train at `train_seq` (DESIGN §16) */
  | { type: 'enqueue'; train_seq: number; land_unverified?: boolean }
  /** back from the train to an agent phase (a failed verification, a conflict with base), fresh session */
  | { type: 'send_back'; phase: Phase; reentry_context: string }
  /** merged (or retained); terminal */
  | { type: 'finish' }
  /** the operator's escape hatch: any status, audited as forced */
  | { type: 'force'; status: Status; phase?: Phase };

export type UnitEventType = UnitEvent['type'];

/** Allowed from-statuses for each event. `force` is allowed from anywhere by design (audited). */
export const TRANSITIONS: Readonly<Record<UnitEventType, readonly Status[]>> = {
  dispatch: ['READY'],
  advance: ['RUNNING'],
  approve: ['NEEDS_ATTENTION'],
  requeue: ['RUNNING'],
  attend: ['RUNNING', 'READY', 'BLOCKED', 'NEEDS_ATTENTION', 'VERIFYING'],
  answer: ['NEEDS_ATTENTION'],
  resume: ['NEEDS_ATTENTION'],
  retry: ['NEEDS_ATTENTION'],
  lift: ['NEEDS_ATTENTION'],
  block: ['READY', 'NEEDS_ATTENTION', 'BLOCKED'],
  unblock: ['BLOCKED', 'NEEDS_ATTENTION'],
  enqueue: ['RUNNING', 'NEEDS_ATTENTION'],
  send_back: ['VERIFYING', 'NEEDS_ATTENTION'],
  finish: ['RUNNING', 'NEEDS_ATTENTION', 'VERIFYING'],
  force: ['READY', 'RUNNING', 'BLOCKED', 'NEEDS_ATTENTION', 'VERIFYING', 'DONE'],
};

/** Status each event leads to (force: the requested one). */
export function targetStatus(event: UnitEvent): Status {
  switch (event.type) {
    case 'dispatch':
    case 'resume':
      return 'RUNNING';
    case 'advance':
    case 'approve':
    case 'requeue':
    case 'answer':
    case 'retry':
    case 'lift':
    case 'unblock':
    case 'send_back':
      return 'READY';
    case 'enqueue':
      return 'VERIFYING';
    case 'attend':
      return 'NEEDS_ATTENTION';
    case 'block':
      return 'BLOCKED';
    case 'finish':
      return 'DONE';
    case 'force':
      return event.status;
  }
}

export function canApply(from: Status, type: UnitEventType): boolean {
  return TRANSITIONS[type].includes(from);
}

/** A phase starts over: its session's notes, reminders, turn extensions and starting tip go. */
const FRESH_PHASE = {
  pending_nudge: null,
  nudge_count: 0,
  turn_extensions: 0,
  phase_start_tip: null,
} as const;

const CLEARED_ATTENTION = {
  attention_reason: null,
  attention_kind: null,
  attention_at: null,
  question: null,
} as const;

/** Applies one event to a unit. Pure: `now` is an ISO timestamp passed in. Throws InvalidTransitionError. */
export function applyEvent(unit: WorkUnit, event: UnitEvent, now: string): WorkUnit {
  if (!canApply(unit.status, event.type)) {
    throw new InvalidTransitionError(unit.chunk, unit.status, event.type);
  }
  const status = targetStatus(event);
  const base: WorkUnit = {
    ...unit,
    status,
    updated_at: now,
    version: unit.version + 1,
    // a train position means something only while the unit is in the train
    train_seq: status === 'VERIFYING' ? unit.train_seq : null,
  };
  switch (event.type) {
    case 'dispatch':
      return {
        ...base,
        ...CLEARED_ATTENTION,
        blocked_by: [],
        worktree: event.worktree === undefined ? unit.worktree : event.worktree,
        base_branch: event.base_branch === undefined ? unit.base_branch : event.base_branch,
        next_retry_at: null,
      };
    case 'advance':
      return advanced(base, event.phase, event.reentry_context ?? null);
    case 'approve':
      return advanced(base, event.phase, null);
    case 'requeue':
      return {
        ...base,
        ...CLEARED_ATTENTION,
        next_retry_at: event.next_retry_at ?? null,
        session_id: event.session_id === undefined ? unit.session_id : event.session_id,
        api_retry_count: event.api_retry_count ?? unit.api_retry_count,
        pending_answer: event.pending_answer === undefined ? unit.pending_answer : event.pending_answer,
        pending_nudge: event.pending_nudge === undefined ? unit.pending_nudge : event.pending_nudge,
      };
    case 'attend':
      return {
        ...base,
        attention_kind: event.kind,
        attention_reason: event.reason,
        attention_at: now,
        question: event.question ?? null,
        session_id: event.session_id === undefined ? unit.session_id : event.session_id,
      };
    case 'answer':
      return {
        ...base,
        ...CLEARED_ATTENTION,
        pending_answer: event.answer,
        pending_nudge: null,
        next_retry_at: null,
      };
    case 'resume':
      // the answer stays pending until the live agent has it, so a phase that dies meanwhile resumes with it
      return { ...base, ...CLEARED_ATTENTION, pending_answer: event.answer, pending_nudge: null };
    case 'retry':
      return {
        ...base,
        ...CLEARED_ATTENTION,
        session_id: event.continue_with === undefined ? null : unit.session_id,
        pending_answer: null,
        pending_nudge: event.continue_with ?? null,
        api_retry_count: 0,
        next_retry_at: null,
        nudge_count: 0,
        turn_extensions: 0,
      };
    case 'lift':
      // the session, its pending answer and its counters stay: it goes on where the limit stopped it
      return { ...base, ...CLEARED_ATTENTION, pending_nudge: event.note, next_retry_at: null };
    case 'enqueue':
      return {
        ...base,
        ...CLEARED_ATTENTION,
        train_seq: event.train_seq,
        land_unverified: event.land_unverified ?? false,
        finalizing: true,
        session_id: null,
        pending_answer: null,
        pending_nudge: null,
        next_retry_at: null,
      };
    case 'send_back':
      return {
        ...base,
        ...CLEARED_ATTENTION,
        phase: event.phase,
        reentry_context: event.reentry_context,
        finalizing: false,
        land_unverified: false,
        tests_accepted: false,
        session_id: null,
        pending_answer: null,
        api_retry_count: 0,
        next_retry_at: null,
        ...FRESH_PHASE,
      };
    case 'block':
      return { ...base, ...CLEARED_ATTENTION, blocked_by: dedupe(event.blocked_by) };
    case 'unblock':
      return { ...base, ...CLEARED_ATTENTION, blocked_by: [] };
    case 'finish':
      return {
        ...base,
        ...CLEARED_ATTENTION,
        session_id: null,
        pending_answer: null,
        pending_nudge: null,
        api_retry_count: 0,
        next_retry_at: null,
      };
    case 'force': {
      const forced = { ...base, phase: event.phase ?? unit.phase };
      return event.status === 'NEEDS_ATTENTION' ? forced : { ...forced, ...CLEARED_ATTENTION };
    }
  }
}

/** The next phase starts in a fresh session with its retry budgets reset. */
function advanced(base: WorkUnit, phase: Phase, reentry: string | null): WorkUnit {
  return {
    ...base,
    ...CLEARED_ATTENTION,
    phase,
    session_id: null,
    pending_answer: null,
    reentry_context: reentry,
    api_retry_count: 0,
    next_retry_at: null,
    tests_accepted: false,
    ...FRESH_PHASE,
  };
}

function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
