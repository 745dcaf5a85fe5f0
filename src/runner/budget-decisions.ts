/**
 * Spending limits around one phase, as the runner's decisions (the rules are domain/budget.ts): the
 * cap Claude Code gets when the phase starts, or what stands in its place; and what a phase that
 * Claude Code stopped at its cap leads to. A unit over its own limit, or a phase over its own cap,
 * becomes a BUDGET item; the project's limit holds every unit READY on its session instead (the
 * status views say so once, not one item per unit). Pure.
 */
import {
  type BudgetLimits,
  budgetReason,
  classifyBudgetStop,
  decideStart,
  formatSpent,
  type ProjectWindow,
  type Reached,
} from '../domain/budget.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { PhaseDecision } from './after-phase.js';

/** the note a session stopped by the project's limit resumes with, once the project has room again */
export const CONTINUE_AFTER_PROJECT_BUDGET =
  "The project's spending limit stopped you before you finished, and it has room again. Continue where you left off.";

/** Before the agent starts: its cap, or what happens instead (a limit was reached since the dispatch). */
export function decidePhaseBudget(
  unit: WorkUnit,
  limits: BudgetLimits,
  project: ProjectWindow | null,
): { maxBudgetUsd: number | null } | { instead: PhaseDecision } {
  const start = decideStart(unit, limits, project);
  if (start.kind === 'start') return { maxBudgetUsd: start.max_budget_usd };
  // the phase has not run: whatever the session was to be told is still to be told
  return { instead: overBudget(unit, start.reached, unit.session_id, unit.pending_nudge) };
}

/** After Claude Code stopped the phase at its cap (failure `budget`). */
export function decideBudgetStop(
  unit: WorkUnit,
  session: string | null,
  limits: BudgetLimits,
  project: ProjectWindow | null,
): PhaseDecision {
  const stop = classifyBudgetStop(unit, limits, project);
  switch (stop.kind) {
    case 'reached':
      return overBudget(unit, stop.reached, session, CONTINUE_AFTER_PROJECT_BUDGET);
    case 'phase':
      return {
        kind: 'attend',
        attention: 'BUDGET',
        reason: budgetReason(stop, unit.phase),
        session_id: session,
      };
    case 'continue':
      return requeue(
        unit,
        session,
        CONTINUE_AFTER_PROJECT_BUDGET,
        'stopped at its budget cap; the limits have room again',
      );
  }
}

function overBudget(
  unit: WorkUnit,
  reached: Reached,
  session: string | null,
  projectNote: string | null,
): PhaseDecision {
  if (reached.limit === 'project_usd') {
    return requeue(
      unit,
      session,
      projectNote,
      `project budget reached (${formatSpent(reached)}): held until it has room`,
    );
  }
  return {
    kind: 'attend',
    attention: 'BUDGET',
    reason: budgetReason({ kind: 'reached', reached }, unit.phase),
    session_id: session,
  };
}

/** READY on the same session; the scheduler holds it while the project is over its limit */
function requeue(unit: WorkUnit, session: string | null, note: string | null, reason: string): PhaseDecision {
  return {
    kind: 'requeue',
    next_retry_at: null,
    session_id: session,
    api_retry_count: unit.api_retry_count,
    note,
    reason,
  };
}
