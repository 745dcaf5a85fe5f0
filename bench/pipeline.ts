/**
 * Units through every phase (PLAN → IMPLEMENT → REVIEW → COMPLETE → merged) with the instant scripted
 * agent, against the bare-git floor for the same number of branches measured in the same run.
 * Checks that every chunk's work reached the base branch: a bench that loses work is wrong.
 * Run alone: node dist/bench/pipeline.js [units] [max_agents]
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { measureFullFloor } from './agent-floor.js';
import { benchGit, measureGitFloor } from './git-floor.js';
import { cpuSeconds } from './lib/cpu.js';
import { instantAgentEnv, type LoopDelay, type RunningDaemon, startDaemon } from './lib/daemon.js';
import { rssMiB } from './lib/proc.js';
import { chunkName, makeProject } from './lib/project.js';
import { seedUnits } from './lib/seed.js';
import { percentile } from './lib/stats.js';
import type { Row } from './lib/table.js';
import { type Breakdown, breakdown, type UnitHistory } from './lib/timeline.js';

interface UnitDto {
  chunk: string;
  status: string;
  attention_reason: string | null;
}

export interface PipelineResult {
  units: number;
  maxAgents: number;
  /** inject request sent → last unit DONE (merged), ms */
  totalMs: number;
  /** bare git for the same number of branches, serial, ms */
  floorMs: number;
  /** bare git + the agent processes' own time (DESIGN §13's floor), serial, ms; from a sample */
  fullFloorMs: number;
  fullFloorSample: number;
  /** finished units that were already in the database */
  history: number;
  /** inject → first RUNNING per unit, ms */
  injectToRunning: number[];
  /** the same for the first max_agents units only: dispatch with free slots, no queueing */
  injectToRunningFree: number[];
  rssEndMiB: number;
  daemonCpuS: number;
  /** chunks whose src/<c>.txt is not on main, or whose GOAL.md there is not ACTIVE */
  lost: string[];
  leftoverWorktrees: number;
  /** where the units' time went, from the daemon's records */
  breakdown: Breakdown;
  /** the daemon's event-loop delay from inject to the end, ms */
  loopDelay: LoopDelay | null;
  /** GET /api/status round trips over the socket while the units ran, ms */
  statusUnderLoad: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls status until all `n` units are DONE; throws with the reasons if any needs attention, or when
 * nothing has moved for `stallMs` (a busy shared machine makes a fixed deadline meaningless).
 */
export async function waitAllDone(
  d: RunningDaemon,
  n: number,
  opts: { stallMs?: number; onPoll?: () => void; latencies?: number[]; before?: Record<string, number> } = {},
): Promise<void> {
  const stallMs = opts.stallMs ?? 120_000;
  const doneBefore = opts.before?.DONE ?? 0;
  const attentionBefore = opts.before?.NEEDS_ATTENTION ?? 0;
  let last = '';
  let movedAt = performance.now();
  for (;;) {
    opts.onPoll?.();
    const t0 = performance.now();
    const s = await d.api<{ counts: Record<string, number> }>('GET', '/api/status');
    opts.latencies?.push(performance.now() - t0);
    if ((s.counts.DONE ?? 0) - doneBefore === n) return;
    if ((s.counts.NEEDS_ATTENTION ?? 0) > attentionBefore) {
      const list = await d.api<{ work_units: UnitDto[] }>('GET', '/api/work-units?status=NEEDS_ATTENTION');
      const why = list.work_units
        .filter((u) => !u.chunk.startsWith('seed_'))
        .slice(0, 3)
        .map((u) => `${u.chunk}: ${u.attention_reason}`);
      throw new Error(`units need attention during the bench: ${why.join(' | ')}`);
    }
    const running = await d.api<{ work_units: { chunk: string; version: number }[] }>(
      'GET',
      '/api/work-units?status=RUNNING',
    );
    const now = JSON.stringify([s.counts, running.work_units.map((u) => [u.chunk, u.version])]);
    if (now !== last) {
      last = now;
      movedAt = performance.now();
    } else if (performance.now() - movedAt > stallMs) {
      throw new Error(`no unit moved for ${stallMs} ms; counts ${JSON.stringify(s.counts)}`);
    }
    await sleep(250);
  }
}

/** Chunks whose work is missing from `main`. */
async function lostWork(root: string, names: readonly string[]): Promise<string[]> {
  const { stdout } = await benchGit(['ls-tree', '-r', '--name-only', 'main'], root);
  const files = new Set(stdout.split('\n'));
  const lost: string[] = [];
  for (const c of names) {
    if (!files.has(`src/${c}.txt`) || !files.has(`docs/chunks/${c}/PLAN.md`)) {
      lost.push(c);
      continue;
    }
    const goal = (await benchGit(['show', `main:docs/chunks/${c}/GOAL.md`], root)).stdout;
    if (!/^status: ACTIVE$/m.test(goal)) lost.push(c);
  }
  return lost;
}

/** The (git + agent) floor per unit, measured serially over `sample` units. */
export async function measureFullFloorPerUnit(sample: number): Promise<{ ms: number; sample: number }> {
  const names = Array.from({ length: sample }, (_, i) => chunkName('floor', i, 4));
  const root = await makeProject(names, 'IMPLEMENTING');
  try {
    return { ms: (await measureFullFloor(names, root)).ms / sample, sample };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function runPipeline(
  n: number,
  opts: {
    maxAgents?: number;
    /** units the full floor is measured on (it is serial and linear; scaled to n) */
    floorSample?: number;
    /** a full floor per unit measured earlier in the same run, instead of measuring it again */
    fullFloorPerUnit?: { ms: number; sample: number };
    /** finished units already in the database (a long-lived project's history) */
    history?: number;
    onDaemon?: (d: RunningDaemon) => Promise<() => Promise<void>>;
  } = {},
): Promise<PipelineResult> {
  const maxAgents = opts.maxAgents ?? 8;
  const names = Array.from({ length: n }, (_, i) => chunkName('unit', i, 4));
  const floorRoot = await makeProject(names);
  const root = await makeProject(names);
  let d: RunningDaemon | null = null;
  try {
    if (opts.history) await seedUnits(root, opts.history);
    const floorMs = (await measureGitFloor(n, floorRoot)).ms;
    const perUnit =
      opts.fullFloorPerUnit ?? (await measureFullFloorPerUnit(Math.min(n, opts.floorSample ?? 10)));
    const fullFloorMs = perUnit.ms * n;
    d = await startDaemon(root, { env: instantAgentEnv(), loopDelay: true });
    const stopExtra = opts.onDaemon ? await opts.onDaemon(d) : null;
    await d.api('PATCH', '/api/config', { max_agents: maxAgents });
    const before = (await d.api<{ counts: Record<string, number> }>('GET', '/api/status')).counts;
    const cpu0 = cpuSeconds(d.pid);
    d.resetLoopDelay();
    const statusUnderLoad: number[] = [];
    const injectAt = Date.now();
    for (let i = 0; i < names.length; i += 500)
      await d.api('POST', '/api/work-units/inject', { chunks: names.slice(i, i + 500) });
    await waitAllDone(d, n, { latencies: statusUnderLoad, before });
    const daemonCpuS = cpuSeconds(d.pid) - cpu0;
    const rssEndMiB = rssMiB(d.pid);
    if (stopExtra) await stopExtra();

    const firstRunning = new Map<string, number>();
    let lastDone = 0;
    const histories: UnitHistory[] = [];
    for (const c of names) {
      const h = await d.api<UnitHistory>('GET', `/api/work-units/${c}/history`);
      histories.push(h);
      const running = h.history.find((e) => e.new_status === 'RUNNING');
      if (running) firstRunning.set(c, Date.parse(running.at) - injectAt);
      for (const e of h.history) if (e.new_status === 'DONE') lastDone = Math.max(lastDone, Date.parse(e.at));
    }
    const lags = names.map((c) => firstRunning.get(c) ?? Number.NaN);
    const worktrees = await d.api<{ count: number }>('GET', '/api/worktrees');
    const lost = await lostWork(root, names);
    await d.stop();
    return {
      units: n,
      maxAgents,
      totalMs: lastDone - injectAt,
      floorMs,
      fullFloorMs,
      fullFloorSample: perUnit.sample,
      history: opts.history ?? 0,
      injectToRunning: lags,
      injectToRunningFree: [...lags].sort((a, b) => a - b).slice(0, Math.min(n, maxAgents)),
      rssEndMiB,
      daemonCpuS,
      lost,
      leftoverWorktrees: worktrees.count,
      breakdown: breakdown(histories),
      loopDelay: d.loopDelay(),
      statusUnderLoad,
    };
  } finally {
    await d?.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(floorRoot, { recursive: true, force: true });
  }
}

export function pipelineRows(group: string, r: PipelineResult): Row[] {
  const tag = `${r.units} units, max_agents ${r.maxAgents}${r.history > 0 ? `, ${r.history.toLocaleString('en')} done units in the db` : ''}`;
  return [
    {
      group,
      measure: `${tag}: all phases to DONE / bare-git floor`,
      value: r.totalMs / r.floorMs,
      unit: '×',
      note: `${(r.totalMs / 1000).toFixed(1)} s vs floor ${(r.floorMs / 1000).toFixed(2)} s`,
    },
    {
      group,
      measure: `${tag}: all phases to DONE / (git + agent) floor`,
      value: r.totalMs / r.fullFloorMs,
      unit: '×',
      note: `floor ${(r.fullFloorMs / 1000).toFixed(1)} s serial (${(r.fullFloorMs / r.units).toFixed(0)} ms/unit over ${r.fullFloorSample})`,
    },
    {
      group,
      measure: `${tag}: daemon CPU per unit`,
      value: (r.daemonCpuS * 1000) / r.units,
      unit: 'ms',
      note: `${r.daemonCpuS.toFixed(1)} s daemon CPU in all (agents' own CPU excluded)`,
    },
    {
      group,
      measure: `${tag}: inject → RUNNING, free slots p50/p99`,
      value: `${percentile(r.injectToRunningFree, 50).toFixed(0)} / ${percentile(r.injectToRunningFree, 99).toFixed(0)}`,
      unit: 'ms',
      note: `first ${r.injectToRunningFree.length} units`,
    },
    {
      group,
      measure: `${tag}: inject → RUNNING, all units p50/p99`,
      value: `${percentile(r.injectToRunning, 50).toFixed(0)} / ${percentile(r.injectToRunning, 99).toFixed(0)}`,
      unit: 'ms',
      note: 'includes waiting for a slot',
    },
    {
      group,
      measure: `${tag}: per phase run: queued / prepare / agent / after`,
      value: [r.breakdown.queued, r.breakdown.prepare, r.breakdown.agent, r.breakdown.after]
        .map((x) => (x / Math.max(1, r.breakdown.runs)).toFixed(0))
        .join(' / '),
      unit: 'ms',
      note: `means over ${r.breakdown.runs} runs; busy slots on average ${r.breakdown.concurrency.toFixed(1)}`,
    },
    ...Object.entries(r.breakdown.byPhase).map(([phase, [runs, ...sums]]) => ({
      group,
      measure: `${tag}: ${phase}: queued / prepare / agent / after`,
      value: sums.map((x) => (x / runs).toFixed(0)).join(' / '),
      unit: 'ms',
      note: `means over ${runs} runs`,
    })),
    {
      group,
      measure: `${tag}: GET /api/status while running, p50/p99`,
      value: `${percentile(r.statusUnderLoad, 50).toFixed(0)} / ${percentile(r.statusUnderLoad, 99).toFixed(0)}`,
      unit: 'ms',
      note: `${r.statusUnderLoad.length} polls`,
    },
    {
      group,
      measure: `${tag}: daemon event-loop delay p50/p99/max`,
      value: r.loopDelay
        ? `${r.loopDelay.p50.toFixed(0)} / ${r.loopDelay.p99.toFixed(0)} / ${r.loopDelay.max.toFixed(0)}`
        : 'n/a',
      unit: 'ms',
      note: 'inject → daemon stop (monitorEventLoopDelay, preloaded)',
    },
    { group, measure: `${tag}: daemon RSS at the end`, value: r.rssEndMiB, unit: 'MiB' },
    {
      group,
      measure: `${tag}: chunks whose work is on main`,
      value: `${r.units - r.lost.length}/${r.units}`,
      unit: '',
      note:
        r.lost.length > 0
          ? `LOST: ${r.lost.slice(0, 5).join(', ')}`
          : `leftover worktrees: ${r.leftoverWorktrees}`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runPipeline(Number(process.argv[2] ?? 50), { maxAgents: Number(process.argv[3] ?? 8) });
  const { renderTable } = await import('./lib/table.js');
  console.log(renderTable(pipelineRows('pipeline', r)));
}
