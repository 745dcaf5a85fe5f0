/**
 * Live probe results keyed by the unordered pair of branch tips they merged. `git merge-tree A B` is a
 * pure function of the two commits, so a pair whose tips did not move since the last check is not
 * probed again. Pure: the caller reads the tips and runs the probes.
 */
import type { LiveProbe } from '../ports/worktrees.js';

/** A chunk pair and what merging its branches gives. */
export interface ProbedPair {
  pair: [string, string];
  probe: LiveProbe;
}

/** One probe to run: a pair of tips not in the cache, with the first chunk pair that has them. */
export interface ProbeJob {
  pair: [string, string];
  /** the tips of `pair[0]` and `pair[1]`, in that order */
  commits: [string, string];
}

/** A chunk pair's sorted tips, or null when its answer needs no git and is not cached. */
type TipPair = readonly [lo: string, hi: string] | null;

/** How a chunk pair gets its answer: known now (cached, or needing no git), or from `jobs[job]`. */
type PlannedPair =
  | { pair: [string, string]; tips: TipPair; probe: LiveProbe }
  | { pair: [string, string]; tips: readonly [string, string]; job: number };

export interface ProbePlan {
  /** one per distinct tip pair not cached: chunk pairs sharing both tips share the probe */
  readonly jobs: readonly ProbeJob[];
  readonly planned: readonly PlannedPair[];
}

/**
 * Values by an unordered pair of tips, in nested maps: at 300 candidates a check looks up 44,850
 * pairs, and concatenating two commit ids into a key for each cost more than the lookups.
 */
class TipPairMap<V> {
  private readonly byLo = new Map<string, Map<string, V>>();
  size = 0;

  get(lo: string, hi: string): V | undefined {
    return this.byLo.get(lo)?.get(hi);
  }

  set(lo: string, hi: string, value: V): void {
    let inner = this.byLo.get(lo);
    if (!inner) {
      inner = new Map();
      this.byLo.set(lo, inner);
    }
    if (!inner.has(hi)) this.size += 1;
    inner.set(hi, value);
  }
}

export class LiveProbeCache {
  private results = new TipPairMap<LiveProbe>();

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
    const jobs: ProbeJob[] = [];
    const planned: PlannedPair[] = [];
    const queued = new TipPairMap<number>();
    for (const [a, b] of pairs) {
      const pair: [string, string] = [a, b];
      const [ta, tb] = [tips.get(a), tips.get(b)];
      if (ta === undefined || tb === undefined || ta === tb) {
        planned.push({ pair, tips: null, probe: { clean: true, conflicting_files: [] } });
        continue;
      }
      const sorted = ta < tb ? ([ta, tb] as const) : ([tb, ta] as const);
      const cached = this.results.get(...sorted);
      if (cached) {
        planned.push({ pair, tips: sorted, probe: cached });
        continue;
      }
      let job = queued.get(...sorted);
      if (job === undefined) {
        job = jobs.push({ pair, commits: [ta, tb] }) - 1;
        queued.set(...sorted, job);
      }
      planned.push({ pair, tips: sorted, job });
    }
    return { jobs, planned };
  }

  /**
   * The answers for a plan's pairs, in its order; `results[i]` answers `plan.jobs[i]`, null when that
   * probe failed: its pairs are left out (a failed probe is no evidence either way) and probed again
   * next time. Afterwards the cache holds exactly the tip pairs this plan answered, so it never
   * outgrows one check and forgets tips that moved on.
   */
  settle(plan: ProbePlan, results: readonly (LiveProbe | null)[]): ProbedPair[] {
    const kept = new TipPairMap<LiveProbe>();
    const out: ProbedPair[] = [];
    for (const p of plan.planned) {
      const probe = 'job' in p ? (results[p.job] ?? null) : p.probe;
      if (probe === null) continue;
      if (p.tips !== null) kept.set(p.tips[0], p.tips[1], probe);
      out.push({ pair: p.pair, probe });
    }
    this.results = kept;
    return out;
  }
}
