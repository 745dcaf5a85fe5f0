/**
 * Live watch: `git merge-tree` probes between the branches of units that are writing code, so a real
 * conflict shows up while they run instead of at merge time. The probe touches no working copy.
 */
import { sortedPair } from '../domain/conflict.js';
import type { Phase, WorkUnit } from '../domain/work-unit.js';
import type { Logger } from '../ports/logger.js';
import type { LiveProbe, Worktrees } from '../ports/worktrees.js';
import type { LiveProbeCache, ProbedPair } from './probe-cache.js';

export type { ProbedPair };

/** Phases whose branch holds (or is getting) the unit's code. */
export const LIVE_PHASES: ReadonlySet<Phase> = new Set<Phase>(['IMPLEMENT', 'REBASE', 'REVIEW']);

export interface LiveConflict {
  /** sorted pair */
  pair: [string, string];
  files: string[];
}

/** Units worth probing: a worktree, a code phase, not finished. */
export function liveCandidates(units: readonly WorkUnit[]): WorkUnit[] {
  return units.filter((u) => u.worktree !== null && LIVE_PHASES.has(u.phase) && u.status !== 'DONE');
}

/**
 * Answers every pair of live candidates, probing (one at a time: git shares two cores with the
 * agents) only the pairs whose branch tips are not in `cache`: after a phase end that is the pairs of
 * the units whose branch moved, plus one read of all tips. A lone pair is probed directly. A pair whose probe fails is logged and left out: a failed probe is no
 * evidence either way. Probes merge the committed tips, as before the cache: uncommitted work in a
 * worktree is not seen either way.
 */
export async function probePairs(
  deps: { worktrees: Pick<Worktrees, 'probe' | 'branchTips'>; log: Logger },
  units: readonly WorkUnit[],
  cache: LiveProbeCache,
): Promise<ProbedPair[]> {
  const live = liveCandidates(units)
    .map((u) => u.chunk)
    .sort();
  const pairs: [string, string][] = [];
  for (let i = 0; i < live.length; i++) {
    for (let j = i + 1; j < live.length; j++) pairs.push(sortedPair(live[i] as string, live[j] as string));
  }
  // one pair (or none): reading the tips would cost the one spawn the cache could save
  if (pairs.length <= 1) {
    const pair = pairs[0];
    const probe = pair ? await probeOrNull(deps, pair) : null;
    return pair && probe ? [{ pair, probe }] : [];
  }
  const plan = cache.plan(pairs, await deps.worktrees.branchTips());
  const results: (LiveProbe | null)[] = [];
  for (const { pair, commits } of plan.jobs) results.push(await probeOrNull(deps, pair, commits));
  return cache.settle(plan, results);
}

async function probeOrNull(
  deps: { worktrees: Pick<Worktrees, 'probe'>; log: Logger },
  pair: [string, string],
  commits?: [string, string],
): Promise<LiveProbe | null> {
  try {
    return await deps.worktrees.probe(pair[0], pair[1], commits);
  } catch (e) {
    deps.log.warn('live probe failed', { chunk: pair[0], other: pair[1], error: e });
    return null;
  }
}

/** The real conflicts among probed pairs. */
export function liveConflicts(probed: readonly ProbedPair[]): LiveConflict[] {
  return probed
    .filter((p) => !p.probe.clean)
    .map((p) => ({ pair: p.pair, files: [...p.probe.conflicting_files].sort() }));
}
