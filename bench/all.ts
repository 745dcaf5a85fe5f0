/**
 * `npm run bench`: every benchmark in one run, printed as ONE table (markdown) after the machine
 * description. Ratios are against floors measured in the same run; nothing here asserts a time.
 * `--quick` runs smaller sizes (a few minutes); the full run is sized for ~15 minutes on 2 cores.
 * Progress goes to stderr, the table to stdout.
 */
import { performance } from 'node:perf_hooks';
import { coldStartRows, listRows, measureColdStart, measureList } from './api-latency.js';
import { measureDashboard, pct } from './dashboard.js';
import { hostsRows, measureHosts } from './hosts.js';
import { loadNow, machineHeader } from './lib/machine.js';
import { type Row, renderTable } from './lib/table.js';
import { measureMergeProbe } from './merge-probe.js';
import { measureOracle } from './oracle.js';
import { measureFullFloorPerUnit, pipelineRows, runPipeline } from './pipeline.js';
import { measureTrain, trainRows } from './train.js';
import { measureWorktreeDeps, worktreeDepsRows } from './worktree-deps.js';
import { fanOutRows, measureFanOut } from './ws-fanout.js';

const quick = process.argv.includes('--quick');
const SIZES = quick
  ? {
      coldRuns: 3,
      lists: [1000],
      calls: 20,
      issue3: 20,
      issue7: [5],
      history: 0,
      changes: 30,
      oracle: 50,
      probeRuns: 5,
      dashboard: 100,
      deps: { worktrees: 5, copies: 2 },
      hostUnits: 6,
    }
  : {
      coldRuns: 5,
      lists: [1000, 10_000],
      calls: 50,
      issue3: 50,
      issue7: [10, 200],
      history: 10_000,
      changes: 100,
      oracle: 200,
      probeRuns: 15,
      dashboard: 500,
      deps: { worktrees: 10, copies: 4 },
      hostUnits: 12,
    };

const rows: Row[] = [];
const failures: string[] = [];

/** Runs one bench, keeps its rows; a failing bench becomes a FAILED row and the others still run. */
async function section(name: string, group: string, fn: () => Promise<Row[]>): Promise<void> {
  const t0 = performance.now();
  process.stderr.write(`[bench] ${name} … (load ${loadNow()})\n`);
  try {
    rows.push(...(await fn()));
    process.stderr.write(`[bench] ${name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    failures.push(`${name}: ${why}`);
    rows.push({ group, measure: name, value: 'FAILED', unit: '', note: why.slice(0, 200) });
    process.stderr.write(`[bench] ${name} FAILED: ${why}\n`);
  }
}

const header = await machineHeader();
const started = performance.now();

await section('cold start', '#2', async () => coldStartRows('#2', await measureColdStart(SIZES.coldRuns)));
for (const n of SIZES.lists) {
  await section(`ps / list with ${n} units`, n >= 10_000 ? '#2 #7' : '#2', async () =>
    listRows(n >= 10_000 ? '#2 #7' : '#2', await measureList(n, SIZES.calls)),
  );
}

let fullFloor: { ms: number; sample: number } | undefined;
await section('(git + agent) floor per unit', 'floor', async () => {
  fullFloor = await measureFullFloorPerUnit(10);
  return [
    {
      group: 'floor',
      measure: '(git + agent) floor per unit, serial',
      value: fullFloor.ms,
      unit: 'ms',
      note: `worktree add, 4 phases of the instant agent without ve, merge, remove; over ${fullFloor.sample} units`,
    },
  ];
});

await section(`${SIZES.issue3} units, all phases`, '#3 #7', async () =>
  pipelineRows('#3 #7', await runPipeline(SIZES.issue3, { maxAgents: 8, fullFloorPerUnit: fullFloor })),
);
for (const n of SIZES.issue7) {
  await section(`${n} units, all phases`, '#7', async () =>
    pipelineRows('#7', await runPipeline(n, { maxAgents: 8, fullFloorPerUnit: fullFloor })),
  );
}
if (SIZES.history > 0) {
  await section(`10 units with ${SIZES.history} done units in the db`, '#7', async () =>
    pipelineRows(
      '#7',
      await runPipeline(10, { maxAgents: 8, fullFloorPerUnit: fullFloor, history: SIZES.history }),
    ),
  );
}

await section('WebSocket fan-out', '#7', async () =>
  fanOutRows('#7', await measureFanOut(20, SIZES.changes)),
);

await section('oracle pass', '#7', async () => {
  const o = await measureOracle(SIZES.oracle);
  return [
    {
      group: '#7',
      measure: `oracle pass over ${o.units} units (${o.pairs} pairs, PLAN stage)`,
      value: o.passMs,
      unit: 'ms',
      note: `${((o.passMs * 1000) / o.pairs).toFixed(0)} µs/pair incl. SQLite upsert; scoring alone ${((o.scoreMs * 1000) / o.pairs).toFixed(1)} µs/pair`,
    },
    {
      group: '#7',
      measure: 'oracle one-off analyze (gate cache miss)',
      value: o.analyzeMs / o.analyzeSample,
      unit: 'ms/pair',
      note: `${o.analyzeSample} pairs; verdicts ${JSON.stringify(o.verdicts)}`,
    },
  ];
});

await section('merge probe', '#7', async () => {
  const m = await measureMergeProbe(SIZES.probeRuns);
  return [
    {
      group: '#7',
      measure: 'LIVE probe (GitWorktrees.probe, 2,000-file repo) / scratch-worktree merge',
      value: m.adapterProbeMs / m.scratchMergeMs,
      unit: '×',
      note: `probe ${m.adapterProbeMs.toFixed(0)} ms (raw merge-tree ${m.mergeTreeMs.toFixed(0)} ms) vs ${m.scratchMergeMs.toFixed(0)} ms; medians of ${m.runs}`,
    },
  ];
});

await section('worktree dependencies', '#11', async () =>
  worktreeDepsRows('#11', await measureWorktreeDeps(SIZES.deps.worktrees, SIZES.deps.copies)),
);

await section('dashboard', '#7', async () => {
  const r = await measureDashboard(SIZES.dashboard, SIZES.changes);
  const all = [...r.priority, ...r.status];
  const p = (k: 'dom' | 'render' | 'response') => {
    const xs = all.map((x) => x[k]).filter(Number.isFinite);
    return `${pct(xs, 50).toFixed(1)} / ${pct(xs, 99).toFixed(1)}`;
  };
  return [
    {
      group: '#7',
      measure: `dashboard: first render of ${r.units} rows`,
      value: r.firstRender,
      unit: 'ms',
      note: 'headless Chromium: login, modules, snapshot, render',
    },
    {
      group: '#7',
      measure: `dashboard: change → DOM shows it, p50/p99`,
      value: p('dom'),
      unit: 'ms',
      note: `${all.length} priority edits and status moves; API answer p50/p99 ${p('response')} ms${r.problems.length > 0 ? `; page problems: ${r.problems.length}` : ''}`,
    },
    {
      group: '#7',
      measure: 'dashboard: WS message → DOM (its own share), p50/p99',
      value: p('render'),
      unit: 'ms',
    },
  ];
});

for (const parallelism of [1, 4]) {
  for (const failingAt of [null, 10]) {
    const what = `landing train, parallelism ${parallelism}${failingAt ? ', one failure' : ''}`;
    await section(what, '#10', async () => [
      trainRows('#10', await measureTrain({ units: 20, verifySeconds: 2, parallelism, failingAt })),
    ]);
  }
}

await section(`${SIZES.hostUnits} units on local, 1 host and 3 hosts`, '#13', async () =>
  hostsRows('#13', await measureHosts(SIZES.hostUnits)),
);

console.log(header);
console.log(
  `mode: ${quick ? '--quick' : 'full'}; total ${((performance.now() - started) / 60_000).toFixed(1)} min; load at end ${loadNow()}`,
);
console.log('');
console.log(renderTable(rows));
if (failures.length > 0) {
  console.log('');
  console.log(`${failures.length} bench(es) failed:`);
  for (const f of failures) console.log(`- ${f}`);
  process.exitCode = 1;
}
