/**
 * A raised limit resumes work (issue 11 §7): after a config change, every BUDGET item whose limit no
 * longer holds goes back to READY on its session, without the operator retrying each.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import { BUDGET_KEY, liftedLimit } from '../domain/budget.js';
import { isOrchError } from '../domain/errors.js';
import type { UnitStore } from '../ports/store.js';

export async function liftBudgetItems(
  store: UnitStore,
  before: OrchestratorConfig,
  after: OrchestratorConfig,
): Promise<string[]> {
  const lifted: string[] = [];
  for (const unit of await store.list({ status: 'NEEDS_ATTENTION' })) {
    if (unit.attention_kind !== 'BUDGET') continue;
    const limit = liftedLimit(unit, before, after);
    if (limit === null) continue;
    const key = BUDGET_KEY[limit];
    const now = after[key] === null ? 'removed' : `raised to ${after[key]}`;
    try {
      await store.transition(
        unit.chunk,
        {
          type: 'lift',
          note: `The spending limit that stopped you (${key}) was ${now}. Continue where you left off.`,
        },
        {
          source: 'scheduler',
          expectedVersion: unit.version,
          reason: `${key} ${now}: resumed on its session`,
        },
      );
      lifted.push(unit.chunk);
    } catch (e) {
      // answered, retried or deleted meanwhile: the operator's move stands
      if (!isOrchError(e, 'stale_write') && !isOrchError(e, 'invalid_transition')) throw e;
    }
  }
  return lifted;
}
