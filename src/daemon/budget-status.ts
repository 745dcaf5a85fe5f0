/** What `GET /api/status` says about budgets and usage limits: limits, the project's window, who waits. */
import type { BudgetStatusDto, StatusDto } from '../api/dto.js';
import type { OrchestratorConfig } from '../config/schema.js';
import { projectReached } from '../domain/budget.js';
import type { WorkUnitStore } from '../ports/store.js';

export async function budgetStatus(
  store: WorkUnitStore,
  config: OrchestratorConfig,
): Promise<BudgetStatusDto> {
  const [window, parked] = await Promise.all([
    store.projectWindow(config),
    store.list({ status: 'NEEDS_ATTENTION' }),
  ]);
  const reached = projectReached(window) !== null;
  // every READY unit but one that only merges is held while the project's window is spent
  const waiting = reached ? (await store.list({ status: 'READY' })).filter((u) => !u.finalizing).length : 0;
  return {
    phase_usd: config.max_budget_usd,
    unit_usd: config.unit_budget_usd,
    unit_tokens: config.unit_budget_tokens,
    project: window && {
      limit_usd: window.limit_usd,
      window_hours: window.window_hours,
      spent_usd: round(window.spent_usd),
      reached,
      frees_at: window.frees_at === null ? null : new Date(window.frees_at).toISOString(),
      waiting,
    },
    items: parked.filter((u) => u.attention_kind === 'BUDGET').length,
  };
}

/** The soonest usage-limit reset still ahead, and how many units wait for one. */
export async function usageLimitStatus(store: WorkUnitStore, now: number): Promise<StatusDto['usage_limit']> {
  const ahead = (await store.usageLimitWaits()).filter((w) => Date.parse(w.next_retry_at) > now);
  const first = ahead[0];
  return first ? { resumes_at: first.next_retry_at, units: ahead.length } : null;
}

/** sums of floats shown to people: micro-dollars are precise enough */
function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
