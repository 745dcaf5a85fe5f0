/**
 * The hosts as placement sees them in one dispatch pass (domain/placement.ts): each host's slots in
 * force and the phases running on it now, counted from the scheduler's own phases in flight. A host
 * that cannot run the OS sandbox an `agent_sandbox` other than off requires counts as unfit: `local`
 * when agents are held here, another host when its last check found no bubblewrap or socat.
 */
import { type Host, HostHealth, LOCAL_HOST, slotsOf } from '../domain/host.js';
import type { PlacementHost } from '../domain/placement.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { HostStore } from '../ports/hosts.js';

export async function placementView(
  hosts: Pick<HostStore, 'list'>,
  units: readonly WorkUnit[],
  inFlight: (chunk: string) => boolean,
  opts: { maxAgents: number; sandboxRequired: boolean; localHold: string | null },
): Promise<PlacementHost[]> {
  const used = new Map<string, number>();
  for (const u of units)
    if (u.host !== null && inFlight(u.chunk)) used.set(u.host, (used.get(u.host) ?? 0) + 1);
  return (await hosts.list()).map((h) => ({
    name: h.name,
    state: h.state,
    health: canSandbox(h, opts) ? h.health : HostHealth.unfit,
    slots: slotsOf(h, opts.maxAgents),
    used: used.get(h.name) ?? 0,
  }));
}

function canSandbox(h: Host, opts: { sandboxRequired: boolean; localHold: string | null }): boolean {
  if (h.name === LOCAL_HOST) return opts.localHold === null;
  return !opts.sandboxRequired || (h.tools !== null && h.tools.bwrap !== null && h.tools.socat !== null);
}
