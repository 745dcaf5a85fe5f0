/**
 * Issue 13's bench: the real daemon (as an unprivileged user) with hosts made of network namespaces
 * (test/support/netns-hosts.ts: their own sshd, user and Claude Code copy), the real Claude Code, and
 * the scripted model answering at once ("instant agents"). Three runs of the same N planned chunks
 * (IMPLEMENT, REVIEW, COMPLETE): on `local` with 2 slots, on one host with 2 slots, on three hosts
 * with 2 slots each. Measured: how much longer a phase takes to start over ssh than locally (from
 * the dispatch to the agent's first model request), how long the fetch of a unit's work back takes
 * at each phase end, and the throughput of three hosts against one. All hosts share this machine's
 * cores, so with instant agents (Claude Code's own CPU the only work) three hosts cannot beat one;
 * the same runs with the model answering after a delay (as a real model does) show what the pool
 * gives when agents wait rather than compute. Needs root; run alone: `node dist/bench/hosts.js [units]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { HistoryDto, UnitListDto } from '../src/api/dto.js';
import { requestIdentity, ScriptedBrain } from '../src/demo/scripted-brain.js';
import { claudeBinaryPath, startScriptedModelServer } from '../src/demo/scripted-model-server.js';
import { fleetProject, veAsDaemon } from '../test/support/fleet-project.js';
import { createHostPool, type HostPool, relayToHosts } from '../test/support/netns-hosts.js';
import { socketApi } from '../test/support/socket-api.js';
import { median } from './lib/stats.js';
import type { Row } from './lib/table.js';

export interface FleetRun {
  hosts: string[];
  units: number;
  wallMs: number;
  /** dispatch → the phase's first model request, per phase started */
  startMs: number[];
  /** the runner's fetch of the unit's work at each phase end (hosts only) */
  fetchMs: number[];
  /** the daemon's send of the unit's work before each phase (hosts only) */
  sendMs: number[];
}

export interface HostsBenchResult {
  local: FleetRun;
  one: FleetRun;
  three: FleetRun;
  /** the model answering each request after `modelDelayMs` */
  slowModel: { modelDelayMs: number; one: FleetRun; three: FleetRun };
}

/** how long the slow model takes per answer */
const MODEL_DELAY_MS = 2000;

interface Seen {
  chunk: string;
  phase: string;
  t: number;
}

export async function measureHosts(units: number): Promise<HostsBenchResult> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'needs root: its hosts are network namespaces with their own sshd (run the bench as root)',
    );
  const pool = await createHostPool({ hosts: 3, claudeBinary: claudeBinaryPath() });
  const seen: Seen[] = [];
  const brain = new ScriptedBrain();
  let delayMs = 0;
  const server = await startScriptedModelServer(async (req) => {
    const id = requestIdentity(req);
    if (id) seen.push({ chunk: id.chunk, phase: id.phase, t: Date.now() });
    if (delayMs > 0 && id) await new Promise((r) => setTimeout(r, delayMs));
    return brain.reply(req);
  });
  const relay = await relayToHosts(pool.gateway, Number(new URL(server.url).port));
  const run = (dir: string, hosts: string[], maxAgents: number) =>
    runFleet({ pool, dir, hosts, maxAgents, units, relayUrl: relay.url, seen });
  try {
    const local = await run('on-local', [], 2);
    const one = await run('on-one', ['h1'], 2);
    const three = await run('on-three', ['h1', 'h2', 'h3'], 6);
    delayMs = MODEL_DELAY_MS;
    const slowOne = await run('slow-one', ['h1'], 2);
    const slowThree = await run('slow-three', ['h1', 'h2', 'h3'], 6);
    return { local, one, three, slowModel: { modelDelayMs: delayMs, one: slowOne, three: slowThree } };
  } finally {
    await relay.close();
    await server.close();
    await pool.teardown();
  }
}

async function runFleet(o: {
  pool: HostPool;
  dir: string;
  hosts: string[];
  maxAgents: number;
  units: number;
  relayUrl: string;
  seen: Seen[];
}): Promise<FleetRun> {
  const names = Array.from({ length: o.units }, (_, i) => `unit${i + 1}`);
  const root = await fleetProject(o.pool, names, o.dir);
  const ve = veAsDaemon(o.pool, root, {
    ANTHROPIC_BASE_URL: o.relayUrl,
    ANTHROPIC_API_KEY: 'sk-ant-ve-bench',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  });
  const api = socketApi(root);
  await ve('orch', 'start');
  try {
    await ve('orch', 'config', '--max-agents', String(o.maxAgents));
    if (o.hosts.length > 0) await ve('orch', 'hosts', 'drain', 'local');
    for (const name of o.hosts) {
      const host = o.pool.hosts.find((h) => h.name === name);
      await ve(
        'orch',
        'hosts',
        'add',
        name,
        '--ssh',
        name,
        '--slots',
        '2',
        '--claude',
        host?.claudePath as string,
      );
    }
    o.seen.length = 0;
    const t0 = performance.now();
    await ve('orch', 'inject', ...names, '--phase', 'IMPLEMENT');
    await api.waitFor<UnitListDto>(
      '/api/work-units',
      (l) => l.count === names.length && l.work_units.every((u) => u.status === 'DONE'),
      900_000,
    );
    const wallMs = performance.now() - t0;
    const startMs: number[] = [];
    for (const chunk of names) {
      const h = await api.get<HistoryDto>(`/api/work-units/${chunk}/history`);
      for (const e of h.history.filter((x) => x.new_status === 'RUNNING')) {
        const at = Date.parse(e.at);
        const first = o.seen.find((s) => s.chunk === chunk && s.phase === e.phase && s.t >= at);
        if (first) startMs.push(first.t - at);
      }
    }
    const log = readFileSync(join(root, '.ve', 'orchestrator.log'), 'utf8').split('\n');
    const msOf = (msg: string) =>
      log.filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => Number(/"ms":(\d+)/.exec(l)?.[1]));
    return {
      hosts: o.hosts,
      units: o.units,
      wallMs,
      startMs,
      fetchMs: msOf('work fetched back'),
      sendMs: msOf('work sent to host'),
    };
  } finally {
    await ve('orch', 'stop');
  }
}

const med = (xs: number[]) => median(xs);

export function hostsRows(group: string, r: HostsBenchResult): Row[] {
  const local = med(r.local.startMs);
  const ssh = med(r.one.startMs);
  const perMin = (x: FleetRun) => (x.units * 60_000) / x.wallMs;
  return [
    {
      group,
      measure: 'phase start over ssh, extra over a local start',
      value: ssh - local,
      unit: 'ms',
      note: `dispatch → first model request, median: ${ssh.toFixed(0)} ms on a host vs ${local.toFixed(0)} ms locally (${r.one.startMs.length} and ${r.local.startMs.length} phases); of it, sending the unit's work: ${med(r.one.sendMs).toFixed(0)} ms`,
    },
    {
      group,
      measure: "fetch of a unit's work back at a phase end",
      value: med([...r.one.fetchMs, ...r.three.fetchMs]),
      unit: 'ms',
      note: `median over ${r.one.fetchMs.length + r.three.fetchMs.length} phase ends: branch and uncommitted files into the daemon's copy`,
    },
    {
      group,
      measure: `throughput, 3 hosts × 2 slots vs 1 host × 2 slots (${r.one.units} units, instant agents)`,
      value: perMin(r.three) / perMin(r.one),
      unit: '×',
      note: `${perMin(r.three).toFixed(1)} vs ${perMin(r.one).toFixed(1)} units/min (${(r.three.wallMs / 1000).toFixed(0)} s vs ${(r.one.wallMs / 1000).toFixed(0)} s); on local alone ${perMin(r.local).toFixed(1)} units/min. The hosts share this machine's cores: Claude Code's own CPU is all the work`,
    },
    {
      group,
      measure: `throughput, 3 hosts vs 1, model answering after ${r.slowModel.modelDelayMs / 1000} s`,
      value: perMin(r.slowModel.three) / perMin(r.slowModel.one),
      unit: '×',
      note: `${perMin(r.slowModel.three).toFixed(1)} vs ${perMin(r.slowModel.one).toFixed(1)} units/min (${(r.slowModel.three.wallMs / 1000).toFixed(0)} s vs ${(r.slowModel.one.wallMs / 1000).toFixed(0)} s): agents that wait on the model, as real ones do, scale with the slots`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const units = Number(process.argv[2] ?? 6);
  for (const row of hostsRows('#13', await measureHosts(units)))
    console.log(
      `${row.measure}: ${typeof row.value === 'number' ? row.value.toFixed(2) : row.value} ${row.unit} — ${row.note}`,
    );
}
