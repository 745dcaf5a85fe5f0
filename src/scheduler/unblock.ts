/** Unblocking dependents: shared by every path to DONE (bus event) and by recovery (sweep). */
import { isOrchError } from '../domain/errors.js';
import type { Status, WorkUnit } from '../domain/work-unit.js';
import type { UnitStore } from '../ports/store.js';

/** Drops finished blockers from every waiting unit; units with none left become READY. */
export async function unblockWaiting(store: UnitStore): Promise<string[]> {
  const units = await store.list({ active: true });
  const status = new Map<string, Status | undefined>(units.map((u) => [u.chunk, u.status]));
  // a blocker missing from the active units is DONE or has no unit: ask for just those
  for (const unit of units.filter(isWaiting))
    for (const b of unit.blocked_by) if (!status.has(b)) status.set(b, (await store.get(b))?.status);
  const released: string[] = [];
  for (const unit of units) {
    if (!isWaiting(unit)) continue;
    const remaining = unit.blocked_by.filter((b) => status.get(b) !== 'DONE');
    if (remaining.length === unit.blocked_by.length) continue;
    try {
      if (remaining.length === 0) {
        await store.transition(
          unit.chunk,
          { type: 'unblock' },
          { source: 'scheduler', expectedVersion: unit.version, reason: 'dependencies done' },
        );
        released.push(unit.chunk);
      } else {
        await store.update(
          unit.chunk,
          { blocked_by: remaining },
          { source: 'scheduler', expectedVersion: unit.version },
        );
      }
    } catch (e) {
      // a unit changed meanwhile is re-examined on the next change event
      if (!isOrchError(e, 'stale_write') && !isOrchError(e, 'invalid_transition')) throw e;
    }
  }
  return released;
}

/** BLOCKED units, and CONFLICT items parked behind another chunk, wait on `blocked_by`. */
function isWaiting(unit: WorkUnit): boolean {
  if (unit.blocked_by.length === 0) return false;
  return (
    unit.status === 'BLOCKED' || (unit.status === 'NEEDS_ATTENTION' && unit.attention_kind === 'CONFLICT')
  );
}
