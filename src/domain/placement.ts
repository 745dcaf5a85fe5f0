/**
 * Where a unit runs (docs/hosts.md, "Placement"). A unit is placed at its first dispatch on a host
 * with a free slot and stays there for its whole life; later dispatches go to that host or wait for
 * it. Pure: the scheduler passes the hosts as they stand and how many phases each runs now.
 */
import { type Host, HostHealth, HostState, LOCAL_HOST } from './host.js';
import type { WorkUnit } from './work-unit.js';

/** A host as placement sees it during one dispatch pass. */
export interface PlacementHost {
  name: string;
  state: Host['state'];
  health: Host['health'];
  /** slots in force (`local`: max_agents) */
  slots: number;
  /** phases running on it now (those parked on a question too: their process holds the host) */
  used: number;
}

export type Placement =
  /** run there; `first`: this dispatch places the unit (a new lease) */
  | { kind: 'place'; host: string; first: boolean }
  /** not now: `host` is the unit's host when it waits for that one, null when no host has room */
  | { kind: 'wait'; host: string | null; reason: string };

/**
 * Where the unit with host `current` (null: not placed yet) runs now. A placed unit runs only on its
 * own host, once that host is reachable and has a free slot; a draining host still runs its units.
 * A new unit goes to the active, healthy host with the most room (least used share of its slots,
 * then most free slots, then `local`, then by name).
 */
export function decidePlacement(current: string | null, hosts: readonly PlacementHost[]): Placement {
  if (current !== null) {
    const host = hosts.find((h) => h.name === current);
    if (!host || host.state === HostState.removed)
      return { kind: 'wait', host: current, reason: `its host ${current} was removed` };
    if (host.health !== HostHealth.ok)
      return { kind: 'wait', host: current, reason: `waiting for host ${current} (${host.health})` };
    if (host.used >= host.slots)
      return { kind: 'wait', host: current, reason: `host ${current} has no free slot` };
    return { kind: 'place', host: current, first: false };
  }
  const open = hosts.filter(
    (h) => h.state === HostState.active && h.health === HostHealth.ok && h.used < h.slots,
  );
  const best = open.sort(byRoom)[0];
  if (!best) return { kind: 'wait', host: null, reason: 'no active host has a free slot' };
  return { kind: 'place', host: best.name, first: true };
}

function byRoom(a: PlacementHost, b: PlacementHost): number {
  const share = a.used / a.slots - b.used / b.slots;
  if (share !== 0) return share;
  const free = b.slots - b.used - (a.slots - a.used);
  if (free !== 0) return free;
  if (a.name === LOCAL_HOST || b.name === LOCAL_HOST) return a.name === LOCAL_HOST ? -1 : 1;
  return a.name < b.name ? -1 : 1;
}

/** One more phase on `host` (the scheduler's running count within a pass). */
export function withPhaseOn(hosts: readonly PlacementHost[], host: string): PlacementHost[] {
  return hosts.map((h) => (h.name === host ? { ...h, used: h.used + 1 } : h));
}

/**
 * Whether this dispatch needs the unit's host: not when its agent phases are over and all its work
 * is on the daemon's side (the merge of a finalizing unit runs there, whatever its host is doing).
 */
export function needsHost(unit: Pick<WorkUnit, 'host' | 'finalizing' | 'fetch_pending'>): boolean {
  return unit.host === null || !unit.finalizing || unit.fetch_pending;
}
