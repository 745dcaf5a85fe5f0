/**
 * Live watch: `git merge-tree` probes between the branches of units that are writing code, so a real
 * conflict shows up while they run instead of at merge time. The probe touches no working copy.
 */
import { sortedPair } from '../domain/conflict.js';
import type { Phase, WorkUnit } from '../domain/work-unit.js';
import type { Logger } from '../ports/logger.js';
import type { LiveProbe, Worktrees } from '../ports/worktrees.js';

/** Phases whose branch holds (or is getting) the unit's code. */
export const LIVE_PHASES: ReadonlySet<Phase> = new Set<Phase>(['IMPLEMENT', 'REBASE', 'REVIEW']);

export interface LiveConflict {
  /** sorted pair */
  pair: [string, string];
  files: string[];
}

export interface ProbedPair {
  pair: [string, string];
  probe: LiveProbe;
}

/** Units worth probing: a worktree, a code phase, not finished. */
export function liveCandidates(units: readonly WorkUnit[]): WorkUnit[] {
  return units.filter((u) => u.worktree !== null && LIVE_PHASES.has(u.phase) && u.status !== 'DONE');
}

/**
 * Probes every pair of live candidates, one at a time (git shares two cores with the agents). A pair
 * whose probe fails is logged and left out: a failed probe is no evidence either way.
 */
export async function probePairs(
  deps: { worktrees: Pick<Worktrees, 'probe'>; log: Logger },
  units: readonly WorkUnit[],
): Promise<ProbedPair[]> {
  const live = liveCandidates(units).sort((x, y) => (x.chunk < y.chunk ? -1 : 1));
  const out: ProbedPair[] = [];
  for (let i = 0; i < live.length; i++) {
    for (let j = i + 1; j < live.length; j++) {
      const pair = sortedPair((live[i] as WorkUnit).chunk, (live[j] as WorkUnit).chunk);
      try {
        out.push({ pair, probe: await deps.worktrees.probe(pair[0], pair[1]) });
      } catch (e) {
        deps.log.warn('live probe failed', { chunk: pair[0], other: pair[1], error: e });
      }
    }
  }
  return out;
}

/** The real conflicts among probed pairs. */
export function liveConflicts(probed: readonly ProbedPair[]): LiveConflict[] {
  return probed
    .filter((p) => !p.probe.clean)
    .map((p) => ({ pair: p.pair, files: [...p.probe.conflicting_files].sort() }));
}
