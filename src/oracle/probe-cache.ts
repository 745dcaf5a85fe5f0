/**
 * Live probe results keyed by the unordered pair of branch tips they merged. `git merge-tree A B` is a
 * pure function of the two commits, so a pair whose tips did not move since the last check is not
 * probed again. Pure: the caller reads the tips and runs the probes.
 */
import type { LiveProbe } from '../ports/worktrees.js';

/** One probe to run: a pair of tips not in the cache, with the first chunk pair that has them. */
export interface ProbeJob {
  key: string;
  pair: [string, string];
  /** the tips of `pair[0]` and `pair[1]`, in that order */
  commits: [string, string];
}

export interface PlannedPair {
  pair: [string, string];
  /** the tip pair that answers it; null when no probe is needed (see `plan`) */
  key: string | null;
}

export interface ProbePlan {
  pairs: PlannedPair[];
  /** one per distinct tip pair not cached: pairs sharing both tips share the probe */
  jobs: ProbeJob[];
}

/** A chunk pair and what merging its branches gives. */
export interface ProbedPair {
  pair: [string, string];
  probe: LiveProbe;
}

/** The cache key of two tips, whichever order they come in. */
export function tipPairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

export class LiveProbeCache {
  private results = new Map<string, LiveProbe>();

  /** how many results are held (at most the tip pairs of the last check) */
  get size(): number {
    return this.results.size;
  }

  /**
   * Which of `pairs` (sorted chunk pairs) need a probe, given every branch's tip now. A pair with a
   * missing branch merges cleanly, as a probe of a missing branch reports; a pair on one commit
   * trivially merges cleanly. Neither needs git.
   */
  plan(pairs: readonly (readonly [string, string])[], tips: ReadonlyMap<string, string>): ProbePlan {
    const out: ProbePlan = { pairs: [], jobs: [] };
    const queued = new Set<string>();
    for (const [a, b] of pairs) {
      const pair: [string, string] = [a, b];
      const [ta, tb] = [tips.get(a), tips.get(b)];
      if (ta === undefined || tb === undefined || ta === tb) {
        out.pairs.push({ pair, key: null });
        continue;
      }
      const key = tipPairKey(ta, tb);
      out.pairs.push({ pair, key });
      if (this.results.has(key) || queued.has(key)) continue;
      queued.add(key);
      out.jobs.push({ key, pair, commits: [ta, tb] });
    }
    return out;
  }

  /**
   * The answers for a plan's pairs, from `fresh` (the jobs' results) or the cache. A job missing from
   * `fresh` (its probe failed) leaves its pairs out: a failed probe is no evidence either way, and it
   * is retried next time. Afterwards the cache holds exactly the tip pairs this plan used, so it never
   * outgrows one check and forgets tips that moved on.
   */
  settle(plan: ProbePlan, fresh: ReadonlyMap<string, LiveProbe>): ProbedPair[] {
    const kept = new Map<string, LiveProbe>();
    const out: ProbedPair[] = [];
    for (const { pair, key } of plan.pairs) {
      if (key === null) {
        out.push({ pair, probe: { clean: true, conflicting_files: [] } });
        continue;
      }
      const probe = fresh.get(key) ?? this.results.get(key);
      if (probe === undefined) continue;
      kept.set(key, probe);
      out.push({ pair, probe });
    }
    this.results = kept;
    return out;
  }
}
