/**
 * WebSocket fan-out: 20 dashboard clients on `/ws` (TCP, token), ~100 unit changes made through the
 * API one at a time; for each, the time until the last of the 20 clients has the change. Timed two
 * ways: from the store commit (the unit's updated_at, same machine clock, ms resolution) and from the
 * API request leaving the bench. Run alone: node dist/bench/ws-fanout.js [clients] [changes]
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { type RunningDaemon, startDaemon } from './lib/daemon.js';
import { chunkName, makeProject } from './lib/project.js';
import { seedUnits } from './lib/seed.js';
import { percentile } from './lib/stats.js';
import type { Row } from './lib/table.js';

export interface FanOut {
  clients: number;
  changes: number;
  /** commit (updated_at) → last client received, ms */
  fromCommit: number[];
  /** API request sent → last client received, ms */
  fromRequest: number[];
}

interface UnitMessage {
  type: string;
  data: { chunk?: string; priority?: number; updated_at?: string };
}

function connect(d: RunningDaemon, onUnit: (m: UnitMessage['data']) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${d.port}/ws`, {
      headers: { authorization: `Bearer ${d.token}` },
    });
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as UnitMessage;
      if (m.type === 'snapshot') resolve(ws);
      else if (m.type === 'unit') onUnit(m.data);
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`ws upgrade refused: ${res.statusCode}`)));
  });
}

export async function measureFanOut(clients = 20, changes = 100): Promise<FanOut> {
  const root = await makeProject();
  let d: RunningDaemon | null = null;
  const sockets: WebSocket[] = [];
  try {
    await seedUnits(root, changes);
    d = await startDaemon(root);
    // the change in flight: which chunk/priority, how many clients still lack it, and when it is done
    let want: {
      chunk: string;
      priority: number;
      left: number;
      done: (at: number, updatedAt: string) => void;
    } | null = null;
    const onUnit = (u: UnitMessage['data']) => {
      if (!want || u.chunk !== want.chunk || u.priority !== want.priority) return;
      want.left -= 1;
      if (want.left === 0) want.done(Date.now(), u.updated_at ?? '');
    };
    for (let i = 0; i < clients; i++) sockets.push(await connect(d, onUnit));
    const fromCommit: number[] = [];
    const fromRequest: number[] = [];
    for (let i = 0; i < changes; i++) {
      const chunk = chunkName('seed', i);
      const priority = 1000 + i;
      const received = new Promise<{ wallAt: number; perfAt: number; updatedAt: string }>((resolve) => {
        want = {
          chunk,
          priority,
          left: clients,
          done: (at, updatedAt) => resolve({ wallAt: at, perfAt: performance.now(), updatedAt }),
        };
      });
      const t0 = performance.now();
      await d.api('PATCH', `/api/work-units/${chunk}/priority`, { priority });
      const r = await received;
      fromRequest.push(r.perfAt - t0);
      fromCommit.push(r.wallAt - Date.parse(r.updatedAt));
    }
    return { clients, changes, fromCommit, fromRequest };
  } finally {
    for (const s of sockets) s.terminate();
    await d?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export function fanOutRows(group: string, f: FanOut): Row[] {
  const p = (xs: number[]) => `${percentile(xs, 50).toFixed(1)} / ${percentile(xs, 99).toFixed(1)}`;
  return [
    {
      group,
      measure: `WS fan-out to ${f.clients} clients: commit → all received, p50/p99`,
      value: p(f.fromCommit),
      unit: 'ms',
      note: `${f.changes} priority changes; ms clock resolution`,
    },
    {
      group,
      measure: `WS fan-out to ${f.clients} clients: API request → all received, p50/p99`,
      value: p(f.fromRequest),
      unit: 'ms',
      note: 'includes the PATCH round trip on the socket',
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { renderTable } = await import('./lib/table.js');
  const r = await measureFanOut(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 100));
  console.log(renderTable(fanOutRows('ws', r)));
}
