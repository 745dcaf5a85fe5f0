/**
 * Moving units off a host that leaves the pool (docs/hosts.md, "Failures"). A unit restarts from the
 * last fetched state of its branch on whichever host placement gives it next (a newer lease, so the
 * old host can neither deliver nor start anything of it again). What did not come back is named:
 * the host's unfetched work when the host cannot be reached, and always its session, whose
 * transcript stays on the host. A phase in flight is stopped first; when the host still answers,
 * its work is fetched before the move, and nothing is lost but the conversation.
 */
import { HostUnreachableError, isOrchError, StaleLeaseError } from '../domain/errors.js';
import type { Host } from '../domain/host.js';
import type { Phase, Status, WorkUnit } from '../domain/work-unit.js';
import type { HostConnections, HostStore } from '../ports/hosts.js';
import type { LivePhases } from '../ports/live-phases.js';
import type { Logger } from '../ports/logger.js';
import type { ConfigStore, UnitStore } from '../ports/store.js';
import type { Worktrees } from '../ports/worktrees.js';

export interface ReassignDeps {
  hosts: HostStore;
  connections: HostConnections;
  store: UnitStore & ConfigStore;
  live: LivePhases;
  worktrees: Pick<Worktrees, 'branchTips'>;
  log: Logger;
  now: () => number;
}

export interface Reassignment {
  chunk: string;
  phase: Phase;
  status: Status;
  /** the commit of `orch/<chunk>` it restarts from (its branch as last fetched) */
  from_commit: string | null;
  /** when its work last came back from the host (null: never) */
  fetched_at: string | null;
  /** true when what the host held was fetched just before the move */
  fetched_now: boolean;
  /** what stayed behind on the host, in a sentence */
  lost: string;
}

export async function reassignUnits(
  deps: ReassignDeps,
  host: Host,
  units: readonly WorkUnit[],
): Promise<Reassignment[]> {
  const out: Reassignment[] = [];
  for (const unit of units) out.push(await reassignOne(deps, host, unit));
  return out;
}

async function reassignOne(deps: ReassignDeps, host: Host, unit: WorkUnit): Promise<Reassignment> {
  const { store, live } = deps;
  if (live.running().includes(unit.chunk)) await live.abort(unit.chunk, 'kill-ready');
  let current = (await store.get(unit.chunk)) ?? unit;
  let fetchedNow = false;
  let unfetched: string | null = null;
  if (current.fetch_pending) {
    const tried = await fetchBeforeMove(deps, host, current);
    if (tried === null) {
      fetchedNow = true;
      current = await store.update(
        current.chunk,
        { fetch_pending: false, fetched_at: new Date(deps.now()).toISOString() },
        { source: 'hosts' },
      );
    } else unfetched = tried;
  }
  const since = current.fetched_at ? `since ${current.fetched_at}` : 'since it was placed there';
  const session = current.session_id
    ? `its session ${current.session_id} (the phase restarts in a new one)`
    : null;
  const lost = unfetched
    ? `the ${current.phase} work on ${host.name} ${since} (${unfetched})${session ? `, and ${session}` : ''}`
    : (session ?? 'nothing');
  const note = agentNote(current, host.name, unfetched !== null);
  await deps.hosts.reassignUnit(current.chunk, {
    from: host.name,
    reason: `moved off host ${host.name} (removed); lost: ${lost}`,
    note,
  });
  deps.log.info('unit reassigned', { chunk: current.chunk, host: host.name, lost });
  return {
    chunk: current.chunk,
    phase: current.phase,
    status: current.status,
    from_commit: (await deps.worktrees.branchTips()).get(current.chunk) ?? null,
    fetched_at: current.fetched_at,
    fetched_now: fetchedNow,
    lost,
  };
}

/** Brings the host's unfetched work back if the host still answers; null when it did, else why not. */
async function fetchBeforeMove(deps: ReassignDeps, host: Host, unit: WorkUnit): Promise<string | null> {
  if (!unit.worktree || !unit.host_token) return 'no copy of it on this side to fetch into';
  const lease = { epoch: unit.host_epoch, token: unit.host_token };
  try {
    const ws = deps.connections.workspace(host);
    await ws.stopUnit(unit.chunk, lease);
    const tip = (await deps.worktrees.branchTips()).get(unit.chunk) ?? null;
    await ws.fetchBack(unit.chunk, lease, tip, unit.worktree);
    return null;
  } catch (err) {
    if (err instanceof HostUnreachableError) return `not fetched: ${err.detail || 'host unreachable'}`;
    if (err instanceof StaleLeaseError) return `not fetched: ${err.message}`;
    deps.log.warn('fetch before reassignment failed', { chunk: unit.chunk, host: host.name, error: err });
    return `not fetched: ${isOrchError(err) || err instanceof Error ? err.message : String(err)}`;
  }
}

/** What the agent of the moved phase is told first, when it had begun (it starts a fresh session). */
function agentNote(unit: WorkUnit, host: string, lostWork: boolean): string | null {
  if (!unit.session_id) return unit.pending_answer;
  const state = lostWork
    ? `The worktree holds the work as it was last saved from that machine${unit.fetched_at ? ` (${unit.fetched_at})` : ''}; anything done after that is gone.`
    : 'The worktree holds all of the work done there.';
  const note = `This phase ran on another machine (${host}), which was taken out of the pool, and continues here in a new session. ${state} Look at the worktree (git log, git status) and continue the phase from there.`;
  return unit.pending_answer ? `${note}\n\n${unit.pending_answer}` : note;
}
