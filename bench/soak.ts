/**
 * Soak (issue 7 §5): 200 units through every phase at max_agents 8 with the instant scripted agent,
 * the daemon's RSS and open file descriptors sampled every second from /proc, then 15 s idle.
 * Prints both curves and says whether they are flat after warm-up (the first 25% of the run).
 * Run: npm run soak [-- units]
 */
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Flatness, flatness, sparkline } from './lib/curve.js';
import { instantAgentEnv, type RunningDaemon, startDaemon } from './lib/daemon.js';
import { machineHeader } from './lib/machine.js';
import { fdCount, rssMiB } from './lib/proc.js';
import { chunkName, makeProject } from './lib/project.js';
import { type Row, renderTable } from './lib/table.js';
import { waitAllDone } from './pipeline.js';

interface Sample {
  /** ms since inject */
  t: number;
  rss: number;
  fds: number;
  done: number;
}

export interface SoakResult {
  units: number;
  runMs: number;
  samples: Sample[];
  idleBefore: { rss: number; fds: number };
  idleAfter: { rss: number; fds: number };
  rss: Flatness;
  fds: Flatness;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WARMUP = 0.25;
/** a late median this much above the early one is growth, not noise */
const RSS_TOLERANCE_MIB = 15;
const FD_TOLERANCE = 4;

export async function runSoak(units = 200, maxAgents = 8): Promise<SoakResult> {
  const names = Array.from({ length: units }, (_, i) => chunkName('soak', i, 4));
  const root = await makeProject(names);
  let d: RunningDaemon | null = null;
  try {
    d = await startDaemon(root, { env: instantAgentEnv() });
    const daemon = d;
    await daemon.api('PATCH', '/api/config', { max_agents: maxAgents });
    await sleep(5000);
    const idleBefore = { rss: rssMiB(daemon.pid), fds: fdCount(daemon.pid) };
    const samples: Sample[] = [];
    const t0 = Date.now();
    let done = 0;
    const timer = setInterval(() => {
      samples.push({ t: Date.now() - t0, rss: rssMiB(daemon.pid), fds: fdCount(daemon.pid), done });
    }, 1000);
    try {
      for (let i = 0; i < names.length; i += 500)
        await daemon.api('POST', '/api/work-units/inject', { chunks: names.slice(i, i + 500) });
      await waitAllDone(daemon, units, {
        onPoll: () => {
          void daemon
            .api<{ counts: Record<string, number> }>('GET', '/api/status')
            .then((s) => {
              done = s.counts.DONE ?? 0;
            })
            .catch(() => undefined); // progress display only
        },
      });
    } finally {
      clearInterval(timer);
    }
    const runMs = Date.now() - t0;
    await sleep(15_000);
    const idleAfter = { rss: rssMiB(daemon.pid), fds: fdCount(daemon.pid) };
    const points = (key: 'rss' | 'fds') => samples.map((s) => ({ t: s.t, v: s[key] }));
    return {
      units,
      runMs,
      samples,
      idleBefore,
      idleAfter,
      rss: flatness(points('rss'), WARMUP, RSS_TOLERANCE_MIB),
      fds: flatness(points('fds'), WARMUP, FD_TOLERANCE),
    };
  } finally {
    await d?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export function soakRows(group: string, r: SoakResult): Row[] {
  const verdict = (f: Flatness, unit: string) =>
    `${f.flat ? 'flat' : 'GROWING'}: early ${f.early.toFixed(0)} → late ${f.late.toFixed(0)} ${unit}, ${f.perMinute >= 0 ? '+' : ''}${f.perMinute.toFixed(1)} ${unit}/min`;
  return [
    { group, measure: `${r.units} units, all phases: run time`, value: r.runMs / 1000, unit: 's' },
    {
      group,
      measure: 'daemon RSS after warm-up: min / max',
      value: `${r.rss.min.toFixed(0)} / ${r.rss.max.toFixed(0)}`,
      unit: 'MiB',
      note: verdict(r.rss, 'MiB'),
    },
    {
      group,
      measure: 'daemon open fds after warm-up: min / max',
      value: `${r.fds.min} / ${r.fds.max}`,
      unit: 'fds',
      note: verdict(r.fds, 'fds'),
    },
    {
      group,
      measure: 'idle before inject → idle 15 s after: RSS',
      value: `${r.idleBefore.rss.toFixed(0)} → ${r.idleAfter.rss.toFixed(0)}`,
      unit: 'MiB',
    },
    {
      group,
      measure: 'idle before inject → idle 15 s after: fds',
      value: `${r.idleBefore.fds} → ${r.idleAfter.fds}`,
      unit: 'fds',
      note: r.idleAfter.fds > r.idleBefore.fds + FD_TOLERANCE ? 'LEAK?' : 'back to idle',
    },
  ];
}

export function soakCurves(r: SoakResult): string {
  const lines = [
    `RSS MiB  ${sparkline(r.samples.map((s) => s.rss))}  (${Math.min(...r.samples.map((s) => s.rss)).toFixed(0)}–${Math.max(...r.samples.map((s) => s.rss)).toFixed(0)})`,
    `open fds ${sparkline(r.samples.map((s) => s.fds))}  (${Math.min(...r.samples.map((s) => s.fds))}–${Math.max(...r.samples.map((s) => s.fds))})`,
    `units done ${sparkline(r.samples.map((s) => s.done))}`,
    '',
    '| t (s) | done | RSS MiB | fds |',
    '|------:|-----:|--------:|----:|',
  ];
  const step = Math.max(1, Math.floor(r.samples.length / 20));
  for (let i = 0; i < r.samples.length; i += step) {
    const s = r.samples[i] as Sample;
    lines.push(`| ${(s.t / 1000).toFixed(0)} | ${s.done} | ${s.rss.toFixed(0)} | ${s.fds} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await machineHeader());
  const r = await runSoak(Number(process.argv[2] ?? 200));
  console.log(renderTable(soakRows('soak', r)));
  console.log('');
  console.log(soakCurves(r));
}
