/**
 * Spending limits (issue 11 §7), decided in one place: may a unit start a phase, and with what cap
 * for Claude Code's `maxBudgetUsd`; which limit stopped a phase that Claude Code ended at its cap;
 * whether a changed limit lets a BUDGET item go on; where the project's rolling window stands.
 * The scheduler, the runner, the operator's retry and the status views all ask here. PURE: time and
 * spend come in as arguments.
 */
import type { Phase, WorkUnit } from './work-unit.js';

/** The budget keys of the configuration. */
export interface BudgetLimits {
  /** one phase run's cap, enforced by Claude Code itself */
  max_budget_usd: number | null;
  /** a unit's total over all its phases and retries */
  unit_budget_usd: number | null;
  /** a unit's tokens in + out over all its phases and retries */
  unit_budget_tokens: number | null;
  /** the project's spend within the rolling window */
  project_budget_usd: number | null;
  project_budget_window_hours: number;
}

/** Which limit: a phase run's cap, a unit's totals, or the project's window. */
export type BudgetLimit = 'phase_usd' | 'unit_usd' | 'unit_tokens' | 'project_usd';

/** The configuration key that sets each limit: what the operator raises. */
export const BUDGET_KEY = {
  phase_usd: 'max_budget_usd',
  unit_usd: 'unit_budget_usd',
  unit_tokens: 'unit_budget_tokens',
  project_usd: 'project_budget_usd',
} as const satisfies Record<BudgetLimit, keyof BudgetLimits>;

/** A limit that is reached: what was spent against what it allows. */
export interface Reached {
  limit: BudgetLimit;
  spent: number;
  of: number;
}

/** What a unit has spent so far. */
export type UnitSpend = Pick<WorkUnit, 'cost_usd' | 'tokens_in' | 'tokens_out'>;

/** One finished phase run's cost, counted in the project's window by when it ended. */
export interface RunCost {
  ended_at: string;
  cost_usd: number;
}

/** The project's rolling window as it stands. */
export interface ProjectWindow {
  limit_usd: number;
  window_hours: number;
  spent_usd: number;
  /** epoch ms at which enough spend has left the window to be under the limit; null while under it */
  frees_at: number | null;
}

export type StartDecision =
  /** `max_budget_usd`: the cap for this phase run (null = none); `capped_by`: the limit that sets it */
  | { kind: 'start'; max_budget_usd: number | null; capped_by: BudgetLimit | null }
  | { kind: 'over'; reached: Reached };

/** What a phase that Claude Code stopped at its spending cap leads to. */
export type BudgetStop =
  /** a unit's or the project's limit is reached */
  | { kind: 'reached'; reached: Reached }
  /** only the phase run's own cap (`max_budget_usd`) was used up */
  | { kind: 'phase'; cap_usd: number }
  /** nothing is reached any more (the window moved on meanwhile): the session goes on */
  | { kind: 'continue' };

/**
 * Costs are sums of floats; the cap handed to Claude Code is `limit - spent`, so a phase that spent
 * exactly its cap must count as reaching the limit despite rounding.
 */
const USD_EPSILON = 1e-9;
const HOUR_MS = 3_600_000;

const reachedUsd = (spent: number, of: number | null): boolean => of !== null && spent >= of - USD_EPSILON;

/** Epoch ms after which phase runs count in the project's window. */
export function windowStart(limits: Pick<BudgetLimits, 'project_budget_window_hours'>, now: number): number {
  return now - limits.project_budget_window_hours * HOUR_MS;
}

/** The project's window from the runs that ended in it (any order); null without a project limit. */
export function projectWindow(
  costs: readonly RunCost[],
  limits: Pick<BudgetLimits, 'project_budget_usd' | 'project_budget_window_hours'>,
  now: number,
): ProjectWindow | null {
  const limit = limits.project_budget_usd;
  if (limit === null) return null;
  const windowMs = limits.project_budget_window_hours * HOUR_MS;
  const from = now - windowMs;
  const inWindow = costs
    .map((c) => ({ at: Date.parse(c.ended_at), usd: c.cost_usd }))
    // a run counts until the window has moved past it: at `frees_at` it is out
    .filter((c) => c.at > from && c.usd > 0)
    .sort((a, b) => a.at - b.at);
  const spent = inWindow.reduce((sum, c) => sum + c.usd, 0);
  let frees_at: number | null = null;
  if (reachedUsd(spent, limit)) {
    // the oldest runs leave the window first: under the limit once enough of them have left
    let left = spent;
    for (const c of inWindow) {
      left -= c.usd;
      if (!reachedUsd(left, limit)) {
        frees_at = c.at + windowMs;
        break;
      }
    }
  }
  return {
    limit_usd: limit,
    window_hours: limits.project_budget_window_hours,
    spent_usd: spent,
    frees_at,
  };
}

/** The first of the unit's own limits that is reached, or null. */
export function unitReached(unit: UnitSpend, limits: BudgetLimits): Reached | null {
  if (limits.unit_budget_usd !== null && reachedUsd(unit.cost_usd, limits.unit_budget_usd)) {
    return { limit: 'unit_usd', spent: unit.cost_usd, of: limits.unit_budget_usd };
  }
  const tokens = unit.tokens_in + unit.tokens_out;
  if (limits.unit_budget_tokens !== null && tokens >= limits.unit_budget_tokens) {
    return { limit: 'unit_tokens', spent: tokens, of: limits.unit_budget_tokens };
  }
  return null;
}

/** The project's limit when it is reached, or null. */
export function projectReached(project: ProjectWindow | null): Reached | null {
  if (project === null || !reachedUsd(project.spent_usd, project.limit_usd)) return null;
  return { limit: 'project_usd', spent: project.spent_usd, of: project.limit_usd };
}

/**
 * May this unit start a phase, and with what cap? A unit over one of its own limits is reported
 * before the project's (it needs its own raise either way). The cap is the least of the phase cap,
 * the unit's remaining and the project's remaining, so Claude Code itself stops at the limit. A unit
 * that only merges (`finalizing`) spends nothing and always starts.
 */
export function decideStart(
  unit: UnitSpend & Pick<WorkUnit, 'finalizing'>,
  limits: BudgetLimits,
  project: ProjectWindow | null,
): StartDecision {
  if (unit.finalizing) return { kind: 'start', max_budget_usd: null, capped_by: null };
  const reached = unitReached(unit, limits) ?? projectReached(project);
  if (reached) return { kind: 'over', reached };
  const caps: [BudgetLimit, number | null][] = [
    ['unit_usd', limits.unit_budget_usd === null ? null : limits.unit_budget_usd - unit.cost_usd],
    ['project_usd', project === null ? null : project.limit_usd - project.spent_usd],
    ['phase_usd', limits.max_budget_usd],
  ];
  let best: { limit: BudgetLimit; usd: number } | null = null;
  for (const [limit, usd] of caps)
    if (usd !== null && (best === null || usd < best.usd)) best = { limit, usd };
  return best === null
    ? { kind: 'start', max_budget_usd: null, capped_by: null }
    : { kind: 'start', max_budget_usd: best.usd, capped_by: best.limit };
}

/** After Claude Code stopped a phase at its cap (failure `budget`): which limit it met. */
export function classifyBudgetStop(
  unit: UnitSpend,
  limits: BudgetLimits,
  project: ProjectWindow | null,
): BudgetStop {
  const decision = decideStart({ ...unit, finalizing: false }, limits, project);
  if (decision.kind === 'over') return { kind: 'reached', reached: decision.reached };
  if (limits.max_budget_usd !== null) return { kind: 'phase', cap_usd: limits.max_budget_usd };
  return { kind: 'continue' };
}

/**
 * The limit a change from `before` to `after` lifted for a BUDGET item, or null while it still holds:
 * a unit over its own limit goes on when it is no longer over any; a phase stopped at its cap, when
 * that cap was raised or removed. The unit's spend does not change while it waits, so `before` tells
 * which kind of item it is.
 */
export function liftedLimit(unit: UnitSpend, before: BudgetLimits, after: BudgetLimits): BudgetLimit | null {
  const was = unitReached(unit, before);
  if (was !== null) return unitReached(unit, after) === null ? was.limit : null;
  const raised =
    before.max_budget_usd !== null &&
    (after.max_budget_usd === null || after.max_budget_usd > before.max_budget_usd);
  return raised ? 'phase_usd' : null;
}

/** What holds a BUDGET item: the limit, its configuration key, and the spend against it (a phase's: unknown). */
export interface BudgetHold {
  limit: BudgetLimit;
  key: (typeof BUDGET_KEY)[BudgetLimit];
  of: number;
  spent: number | null;
}

/**
 * What holds a unit parked as a BUDGET item under `limits`: the unit's own limit it is over, else the
 * per-phase cap its phase used up; null when neither applies any more.
 */
export function budgetHold(unit: UnitSpend, limits: BudgetLimits): BudgetHold | null {
  const reached = unitReached(unit, limits);
  if (reached) return { ...reached, key: BUDGET_KEY[reached.limit] };
  if (limits.max_budget_usd === null) return null;
  return { limit: 'phase_usd', key: BUDGET_KEY.phase_usd, of: limits.max_budget_usd, spent: null };
}

/** `$5.00`, `$0.0031`: small amounts keep two significant places. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  return Math.abs(usd) < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

const formatCount = (n: number): string => n.toLocaleString('en-US');

/** `$3.20 of $5.00`, `1,200 of 5,000 tokens`: spend against a limit, as every view shows it. */
export function formatSpent(reached: Pick<Reached, 'limit' | 'spent' | 'of'>): string {
  return reached.limit === 'unit_tokens'
    ? `${formatCount(reached.spent)} of ${formatCount(reached.of)} tokens`
    : `${formatUsd(reached.spent)} of ${formatUsd(reached.of)}`;
}

/**
 * The command that raises a limit, with a value that gives it room again: twice the limit, or twice
 * the spend when that is more (a limit lowered below what was already spent).
 */
export function raiseCommand(reached: Pick<Reached, 'limit' | 'spent' | 'of'>): string {
  const flag = `--${BUDGET_KEY[reached.limit].replace(/_/g, '-')}`;
  const room = Math.max(reached.of, reached.spent) * 2;
  const value = reached.limit === 'unit_tokens' ? String(Math.ceil(room)) : room.toFixed(2);
  return `ve orch config ${flag} ${value}`;
}

/** The BUDGET item's reason: which limit, how much was spent, and how to raise it. */
export function budgetReason(stop: Exclude<BudgetStop, { kind: 'continue' }>, phase: Phase): string {
  if (stop.kind === 'phase') {
    return `${phase} used its per-phase budget of ${formatUsd(stop.cap_usd)} (max_budget_usd) and Claude Code stopped it. Retry continues the same session with another ${formatUsd(stop.cap_usd)}; raising the cap lets it go on by itself: ${raiseCommand({ limit: 'phase_usd', spent: stop.cap_usd, of: stop.cap_usd })}`;
  }
  const { reached } = stop;
  const what =
    reached.limit === 'unit_tokens'
      ? 'Unit token budget reached'
      : reached.limit === 'unit_usd'
        ? 'Unit budget reached'
        : 'Project budget reached';
  const scope = reached.limit === 'project_usd' ? 'in the rolling window' : 'over all its phases and retries';
  return `${what}: ${formatSpent(reached)} (${BUDGET_KEY[reached.limit]}), ${scope}. No new phase starts; raising the limit resumes it on the same session: ${raiseCommand(reached)}`;
}
