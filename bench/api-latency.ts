/**
 * Issue 2 / issue 7 API numbers: cold start to ready, `ve orch ps --json` (every unit, and one page
 * of PAGE units) through the real CLI and GET /api/work-units over the unix socket with many units,
 * and the daemon's idle RSS.
 * Run alone: node dist/bench/api-latency.js [units...]
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { projectPaths } from '../src/config/paths.js';
import { cliAvailable, ve } from './lib/cli.js';
import { api, type RunningDaemon, startDaemon, waitReady } from './lib/daemon.js';
import { rssMiB } from './lib/proc.js';
import { makeProject } from './lib/project.js';
import { seedUnits } from './lib/seed.js';
import { median, percentile } from './lib/stats.js';
import type { Row } from './lib/table.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** the page size of the paged `ps` measure */
const PAGE = 100;

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export interface ColdStart {
  via: 'cli' | 'daemon';
  /** spawn → GET /api/status answers (polled every 2 ms) */
  runs: number[];
  /** `ve orch start` spawn → the command exits (it polls every 100 ms itself); empty without the CLI */
  cliExit: number[];
  /** a bare `node -e 0`, the floor under any node process start */
  nodeStartMs: number;
}

/** Spawn → GET /api/status answers, `runs` times, each on a fresh project. */
export async function measureColdStart(runs = 5): Promise<ColdStart> {
  const via = cliAvailable() ? 'cli' : 'daemon';
  const out: number[] = [];
  const cliExit: number[] = [];
  for (let i = 0; i < runs; i++) {
    const root = await makeProject();
    try {
      if (via === 'cli') {
        const t0 = performance.now();
        const started = ve(['orch', 'start', '--project-dir', root]).then(() =>
          cliExit.push(performance.now() - t0),
        );
        await waitReady(root, { pollMs: 2 });
        out.push(performance.now() - t0);
        await started;
        await ve(['orch', 'stop', '--project-dir', root]);
      } else {
        const d = await startDaemon(root);
        out.push(d.readyMs);
        await d.stop();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const node: number[] = [];
  const run = promisify(execFile);
  for (let i = 0; i < 5; i++) node.push(await timeIt(() => run(process.execPath, ['-e', '0'])));
  return { via, runs: out, cliExit, nodeStartMs: median(node) };
}

export interface ListLatency {
  units: number;
  /** spawn → ready with the units already in the database */
  readyMs: number;
  idleRssMiB: number;
  /** GET /api/work-units over the socket, fresh connection per call */
  socketMs: number[];
  bytes: number;
  /** `ve orch ps --json` wall time per call; null without a built CLI */
  cliMs: number[] | null;
  /** `ve orch ps --json --limit PAGE` wall time per call, and its output size; null without a built CLI */
  pagedCliMs: number[] | null;
  pagedBytes: number;
}

/** A daemon on a project seeded with `units` units: idle RSS, then `calls` list requests each way. */
export async function measureList(units: number, calls = 50): Promise<ListLatency> {
  const root = await makeProject();
  let d: RunningDaemon | null = null;
  try {
    await seedUnits(root, units);
    d = await startDaemon(root);
    await sleep(5000);
    const idleRssMiB = rssMiB(d.pid);
    const socket = projectPaths(root).socket;
    const socketMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      const r = await api<{ count: number }>(socket, 'GET', '/api/work-units');
      socketMs.push(performance.now() - t);
      if (r.body.count !== units) throw new Error(`list answered ${r.body.count} units, expected ${units}`);
      bytes = JSON.stringify(r.body).length;
    }
    let cliMs: number[] | null = null;
    let pagedCliMs: number[] | null = null;
    let pagedBytes = 0;
    if (cliAvailable()) {
      cliMs = [];
      for (let i = 0; i < calls; i++) {
        const t = performance.now();
        const { stdout } = await ve(['orch', 'ps', '--json', '--project-dir', root]);
        cliMs.push(performance.now() - t);
        if (i === 0) checkPsOutput(stdout, units);
      }
      pagedCliMs = [];
      for (let i = 0; i < calls; i++) {
        const t = performance.now();
        const { stdout } = await ve(['orch', 'ps', '--json', '--limit', String(PAGE), '--project-dir', root]);
        pagedCliMs.push(performance.now() - t);
        if (i === 0) {
          checkPageOutput(stdout, units);
          pagedBytes = stdout.length;
        }
      }
    }
    return { units, readyMs: d.readyMs, idleRssMiB, socketMs, bytes, cliMs, pagedCliMs, pagedBytes };
  } finally {
    await d?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** `ps --json` must list every unit, or the timing means nothing. */
function checkPsOutput(stdout: string, units: number): void {
  const parsed = JSON.parse(stdout) as { work_units?: unknown[]; count?: number } | unknown[];
  const n = Array.isArray(parsed) ? parsed.length : (parsed.count ?? parsed.work_units?.length);
  if (n !== units) throw new Error(`ve orch ps --json listed ${n} units, expected ${units}`);
}

/** `ps --json --limit` must list one full page and count every unit. */
function checkPageOutput(stdout: string, units: number): void {
  const page = JSON.parse(stdout) as { count?: number; total?: number };
  const want = Math.min(PAGE, units);
  if (page.count !== want || page.total !== units)
    throw new Error(
      `ps --limit ${PAGE} answered ${page.count} of ${page.total}, expected ${want} of ${units}`,
    );
}

const p5099 = (xs: number[]) => `${percentile(xs, 50).toFixed(1)} / ${percentile(xs, 99).toFixed(1)}`;

export function coldStartRows(group: string, c: ColdStart): Row[] {
  const exits: Row[] =
    c.cliExit.length === 0
      ? []
      : [
          {
            group,
            measure: '`ve orch start` command returns (median)',
            value: median(c.cliExit),
            unit: 'ms',
            note: 'the CLI polls readiness every 100 ms',
          },
        ];
  return [
    {
      group,
      measure:
        c.via === 'cli'
          ? 'cold `ve orch start` → status answers (median)'
          : 'cold daemon spawn → status answers (median)',
      value: median(c.runs),
      unit: 'ms',
      note: `${c.runs.length} runs: ${c.runs.map((x) => x.toFixed(0)).join(', ')}; bare \`node -e 0\` ${c.nodeStartMs.toFixed(0)} ms${c.via === 'daemon' ? '; CLI not built: daemon spawned directly' : ''}`,
    },
    ...exits,
  ];
}

export function listRows(group: string, l: ListLatency): Row[] {
  const n = l.units.toLocaleString('en');
  return [
    {
      group,
      measure: `\`ve orch ps --json\`, ${n} units, p50/p99`,
      value: l.cliMs ? p5099(l.cliMs) : 'pending',
      unit: 'ms',
      note: l.cliMs
        ? `${l.cliMs.length} calls through the real CLI`
        : 'CLI not on this branch yet (merge main and re-run)',
    },
    {
      group,
      measure: `\`ve orch ps --json --limit ${PAGE}\`, ${n} units, p50/p99`,
      value: l.pagedCliMs ? p5099(l.pagedCliMs) : 'pending',
      unit: 'ms',
      note: l.pagedCliMs
        ? `${l.pagedCliMs.length} calls through the real CLI, ${(l.pagedBytes / 1024).toFixed(0)} KiB each`
        : 'CLI not on this branch yet (merge main and re-run)',
    },
    {
      group,
      measure: `GET /api/work-units over the socket, ${n} units, p50/p99`,
      value: p5099(l.socketMs),
      unit: 'ms',
      note: `${l.socketMs.length} calls, ${(l.bytes / 1024).toFixed(0)} KiB each`,
    },
    { group, measure: `daemon idle RSS, ${n} units (5 s after ready)`, value: l.idleRssMiB, unit: 'MiB' },
    { group, measure: `daemon spawn → ready, ${n} units in the db`, value: l.readyMs, unit: 'ms' },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { renderTable } = await import('./lib/table.js');
  const rows = coldStartRows('api', await measureColdStart());
  for (const n of process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0))
    rows.push(...listRows('api', await measureList(n)));
  console.log(renderTable(rows));
}
