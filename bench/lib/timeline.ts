/**
 * Where a unit's wall time goes, from the daemon's own records (status history and phase runs):
 * waiting for a slot, preparing the phase, the agent session, and what the runner does after it
 * (for COMPLETE: the merge). Pure: history in, totals out.
 */

export interface HistoryEntry {
  new_status: string;
  phase: string | null;
  at: string;
}
export interface PhaseRunEntry {
  phase: string;
  started_at: string;
  ended_at: string | null;
}
export interface UnitHistory {
  history: HistoryEntry[];
  phase_runs: PhaseRunEntry[];
}

export interface Breakdown {
  /** READY → RUNNING, summed over all units and phases, ms */
  queued: number;
  /** RUNNING → agent session start (worktree, checks, store writes) */
  prepare: number;
  /** agent session start → end */
  agent: number;
  /** agent session end → the unit's next status (decision; COMPLETE: merge and cleanup) */
  after: number;
  /** number of phase runs these sums cover */
  runs: number;
  /** per phase: [runs, queued, prepare, agent, after] sums, ms */
  byPhase: Record<string, [number, number, number, number, number]>;
  /** summed RUNNING time / wall span: how many agent slots were busy on average */
  concurrency: number;
}

const t = (iso: string) => Date.parse(iso);

export function breakdown(units: readonly UnitHistory[]): Breakdown {
  let queued = 0;
  let prepare = 0;
  let agent = 0;
  let after = 0;
  let runs = 0;
  let running = 0;
  const byPhase: Breakdown['byPhase'] = {};
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const u of units) {
    const h = u.history;
    let runIdx = 0;
    for (let i = 0; i < h.length; i++) {
      const e = h[i] as HistoryEntry;
      first = Math.min(first, t(e.at));
      last = Math.max(last, t(e.at));
      if (e.new_status !== 'RUNNING') continue;
      const prev = h[i - 1];
      const wait = prev?.new_status === 'READY' ? t(e.at) - t(prev.at) : 0;
      queued += wait;
      const next = h.slice(i + 1).find((x) => x.new_status !== 'RUNNING');
      if (!next) continue;
      running += t(next.at) - t(e.at);
      // the phase run that started in this RUNNING span, if the agent got that far
      const run = u.phase_runs
        .slice(runIdx)
        .find((r) => t(r.started_at) >= t(e.at) && t(r.started_at) <= t(next.at));
      if (!run?.ended_at) continue;
      runIdx = u.phase_runs.indexOf(run) + 1;
      const parts = [
        t(run.started_at) - t(e.at),
        t(run.ended_at) - t(run.started_at),
        t(next.at) - t(run.ended_at),
      ] as const;
      prepare += parts[0];
      agent += parts[1];
      after += parts[2];
      runs += 1;
      const p = byPhase[run.phase] ?? [0, 0, 0, 0, 0];
      byPhase[run.phase] = p;
      p[0] += 1;
      p[1] += wait;
      p[2] += parts[0];
      p[3] += parts[1];
      p[4] += parts[2];
    }
  }
  return {
    queued,
    prepare,
    agent,
    after,
    runs,
    byPhase,
    concurrency: last > first ? running / (last - first) : 0,
  };
}
