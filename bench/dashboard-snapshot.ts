/**
 * Dashboard connect cost on a long-lived project: 10,000 units (9,990 DONE) seeded into the store, a
 * real daemon, and the dashboard opened `loads` times in headless Chromium. Per load: the `/ws`
 * snapshot's size, WebSocket open → snapshot arrived → unit grid in the DOM (browser clock), how many
 * units the page took in, and its JS heap after a forced GC. Plus the snapshot alone, read by a plain
 * Node WebSocket client. Run: node dist/bench/dashboard-snapshot.js [done] [loads]
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { fakeClaudePath } from '../test/support/agent-fixtures.js';
import { launchBrowser, openPage } from '../test/support/browser.js';
import { type DaemonProcess, startDaemon } from '../test/support/daemon-process.js';
import { seedFinishedUnits } from '../test/support/finished-units.js';
import { makeTestRepo } from '../test/support/git-repo.js';

/** Runs before the page's scripts: times the `/ws` open, the first message, and the grid's arrival. */
const TAP = `(() => {
  const c = (window.__conn = {});
  const Base = window.WebSocket;
  window.WebSocket = class extends Base {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).endsWith('/ws')) return;
      this.addEventListener('open', () => { c.open ??= performance.now(); });
      this.addEventListener('message', (e) => {
        if (c.snapshot !== undefined) return;
        c.snapshot = performance.now();
        c.raw = String(e.data);
      });
    }
  };
  const obs = new MutationObserver(() => {
    if (c.snapshot !== undefined && document.getElementById('units-title')) {
      c.grid = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document, { childList: true, subtree: true });
})()`;

/** what TAP leaves on the page's window (no DOM lib in this project's tsconfig) */
type Tapped = { __conn: { open?: number; snapshot?: number; grid?: number; raw?: string } };

/** what one page load measured, read back from the page */
export interface Load {
  bytes: number;
  units: number;
  /** ws open → snapshot message arrived */
  toSnapshot: number;
  /** snapshot arrived → grid in the DOM (parse, state, render) */
  toGrid: number;
  /** ws open → grid in the DOM */
  total: number;
  heapMiB: number;
}

export interface SnapshotResult {
  units: number;
  done: number;
  loads: Load[];
  /** a Node client: ws open → snapshot, ms; and its size */
  plain: { ms: number[]; bytes: number };
  problems: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
};

async function plainSnapshot(d: DaemonProcess): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${d.port}/ws`, {
      headers: { authorization: `Bearer ${d.token}` },
    });
    let opened = 0;
    ws.once('open', () => {
      opened = performance.now();
    });
    ws.once('message', (raw: Buffer) => {
      resolve({ ms: performance.now() - opened, bytes: raw.length });
      ws.close();
    });
    ws.once('error', reject);
  });
}

export async function measureSnapshot(done = 9990, loads = 5): Promise<SnapshotResult> {
  const pairs = 5;
  const repo = makeTestRepo();
  await seedFinishedUnits(repo.root, { done, pairs });
  const daemon = await startDaemon({
    root: repo.root,
    env: { VE_CLAUDE_PATH: fakeClaudePath(), GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  const browser = await launchBrowser();
  const problems: string[] = [];
  try {
    const plain = { ms: [] as number[], bytes: 0 };
    for (let i = 0; i < 2 * loads; i++) {
      const s = await plainSnapshot(daemon);
      plain.ms.push(s.ms);
      plain.bytes = s.bytes;
    }
    const results: Load[] = [];
    for (let i = 0; i < loads; i++) {
      const w = await openPage(browser);
      await w.page.addInitScript(TAP);
      await w.page.goto(daemon.loginUrl);
      // functions, not strings: the page's CSP forbids eval, which string predicates need when polled
      await w.page.waitForFunction(
        () => (globalThis as unknown as Tapped).__conn.grid !== undefined,
        undefined,
        {
          timeout: 120_000,
        },
      );
      const load = await w.page.evaluate(() => {
        const c = (globalThis as unknown as Tapped).__conn;
        const raw = c.raw ?? '';
        delete c.raw; // the heap below is the page's own, not this copy's
        const units = (JSON.parse(raw) as { data: { work_units: unknown[] } }).data.work_units.length;
        const bytes = new TextEncoder().encode(raw).length;
        const [open, snapshot, grid] = [c.open ?? 0, c.snapshot ?? 0, c.grid ?? 0];
        return { bytes, units, toSnapshot: snapshot - open, toGrid: grid - snapshot, total: grid - open };
      });
      const cdp = await w.context.newCDPSession(w.page);
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      results.push({ ...load, heapMiB: heap.usedSize / 2 ** 20 });
      problems.push(...w.problems);
      await w.context.close();
    }
    return { units: done + 2 * pairs, done, loads: results, plain, problems };
  } finally {
    await browser.close();
    await daemon.stop();
    repo.cleanup();
  }
}

function print(r: SnapshotResult): void {
  console.log(
    `dashboard snapshot bench: ${r.units} units (${r.done} DONE), ${r.loads.length} page loads, node ${process.version}`,
  );
  const row = (label: string, xs: number[], digits = 1) =>
    console.log(
      `| ${label.padEnd(40)} | ${median(xs).toFixed(digits).padStart(9)} | ${Math.min(...xs)
        .toFixed(digits)
        .padStart(9)} | ${Math.max(...xs)
        .toFixed(digits)
        .padStart(9)} |`,
    );
  console.log(
    `| ${'measure'.padEnd(40)} | ${'median'.padStart(9)} | ${'min'.padStart(9)} | ${'max'.padStart(9)} |`,
  );
  console.log(`|${'-'.repeat(42)}|${'-'.repeat(11)}|${'-'.repeat(11)}|${'-'.repeat(11)}|`);
  const l = r.loads;
  row('snapshot size, KiB', [...l.map((x) => x.bytes / 1024)], 0);
  row('units in the snapshot', [...l.map((x) => x.units)], 0);
  row('page: ws open → snapshot arrived, ms', [...l.map((x) => x.toSnapshot)]);
  row('page: snapshot → grid in the DOM, ms', [...l.map((x) => x.toGrid)]);
  row('page: ws open → grid in the DOM, ms', [...l.map((x) => x.total)]);
  row('page JS heap after GC, MiB', [...l.map((x) => x.heapMiB)]);
  row('node client: ws open → snapshot, ms', r.plain.ms);
  console.log(`node client snapshot size: ${(r.plain.bytes / 1024).toFixed(0)} KiB`);
  if (r.problems.length > 0) console.log(`page problems: ${r.problems.join(' | ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    print(await measureSnapshot(Number(process.argv[2] ?? 9990), Number(process.argv[3] ?? 5)));
  } catch (e: unknown) {
    console.error(e);
    process.exit(1);
  }
}
