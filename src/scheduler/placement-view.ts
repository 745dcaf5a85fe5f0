/**
 * The hosts as placement sees them in one dispatch pass (domain/placement.ts): each host's slots in
 * force and the phases running on it now, counted from the scheduler's own phases in flight.
 */
import { slotsOf } from '../domain/host.js';
import type { PlacementHost } from '../domain/placement.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { HostStore } from '../ports/hosts.js';

export async function placementView(
  hosts: Pick<HostStore, 'list'>,
  units: readonly WorkUnit[],
  inFlight: (chunk: string) => boolean,
  maxAgents: number,
): Promise<PlacementHost[]> {
  const used = new Map<string, number>();
  for (const u of units)
    if (u.host !== null && inFlight(u.chunk)) used.set(u.host, (used.get(u.host) ?? 0) + 1);
  return (await hosts.list()).map((h) => ({
    name: h.name,
    state: h.state,
    health: h.health,
    slots: slotsOf(h, maxAgents),
    used: used.get(h.name) ?? 0,
  }));
}
