/**
 * Dashboard bench: a real daemon with 500 work units, the dashboard open in headless Chromium, and
 * ~100 store changes made through the API from inside the page. Each sample is the time from sending
 * the change to the DOM showing it (a MutationObserver, all on the browser's clock): priority edits
 * (one row's text) and forced status changes (a row moves group, the inbox gains a card).
 * Run: node dist/bench/dashboard.js [units] [changes]; `measureDashboard` feeds the `npm run bench` table.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { launchBrowser, openPage } from '../test/support/browser.js';
import { startDaemon } from '../test/support/daemon-process.js';
import { makeScenario } from '../test/support/dashboard-scenario.js';

/** Runs before the page's own scripts: note when each `/ws` message arrives. */
const WS_TAP = `(() => {
  const Base = window.WebSocket;
  window.__wsLog = [];
  window.WebSocket = class extends Base {
    constructor(url, protocols) {
      super(url, protocols);
      if (String(url).endsWith('/ws')) {
        this.addEventListener('message', (e) => {
          window.__wsLog.push({ t: performance.now(), data: String(e.data) });
          if (window.__wsLog.length > 200) window.__wsLog.shift();
        });
      }
    }
  };
})()`;

/** Runs in the page: arm a DOM watcher, make one change over the API, report the times. */
const MEASURE = `async ({ method, path, body, selector, text, chunk }) => {
  const matches = () => {
    const el = document.querySelector(selector);
    return el !== null && (!text || (el.textContent || '').includes(text));
  };
  const dom = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (matches()) { obs.disconnect(); resolve(performance.now()); }
    });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  if (matches()) throw new Error('already true before the change: ' + selector);
  const t0 = performance.now();
  const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const tRes = performance.now();
  if (!res.ok) throw new Error(method + ' ' + path + ' -> ' + res.status + ' ' + (await res.text()));
  const tDom = await dom;
  const msg = window.__wsLog.find((m) => m.t >= t0 && m.data.includes('"chunk":"' + chunk + '"'));
  return { dom: tDom - t0, response: tRes - t0, render: msg ? tDom - msg.t : NaN };
}`;

/** the one DOM call made from Node-typed code (no DOM lib in this project's tsconfig) */
type Dom = { document: { querySelectorAll(s: string): { length: number } } };

export interface Sample {
  /** change sent → DOM shows it */
  dom: number;
  /** change sent → API answered */
  response: number;
  /** WebSocket message arrived → DOM shows it (the dashboard's own share) */
  render: number;
}

export interface DashboardResult {
  units: number;
  /** ms until GET /api/work-units answers in < 300 ms after injecting the units */
  settle: number;
  /** ms from opening the page to all rows rendered */
  firstRender: number;
  priority: Sample[];
  status: Sample[];
  problems: string[];
}

export function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

export async function measureDashboard(units = 500, changes = 100): Promise<DashboardResult> {
  const names = Array.from({ length: units - 1 }, (_, i) => `b_${String(i).padStart(4, '0')}`);
  const scenario = makeScenario(names);
  const daemon = await startDaemon({ root: scenario.repo.root, env: scenario.env });
  const browser = await launchBrowser();
  try {
    await daemon.api('POST', '/api/work-units/inject', { chunks: ['ask_store'] });
    for (let i = 0; i < names.length; i += 500)
      await daemon.api('POST', '/api/work-units/inject', { chunks: names.slice(i, i + 500) });

    // the daemon digests a 500-unit inject for a while; time that apart from the page
    const tSettle = performance.now();
    for (let quick = 0; quick < 3 && performance.now() - tSettle < 60_000; ) {
      const t = performance.now();
      await daemon.api('GET', '/api/work-units');
      quick = performance.now() - t < 300 ? quick + 1 : 0;
    }
    const settle = performance.now() - tSettle;

    const t0 = performance.now();
    const w = await openPage(browser);
    await w.page.addInitScript(WS_TAP);
    await w.page.goto(daemon.loginUrl);
    await w.page.waitForFunction(
      (n) => (globalThis as unknown as Dom).document.querySelectorAll('li[data-chunk]').length >= n,
      units,
      {
        timeout: 60_000,
      },
    );
    const firstRender = performance.now() - t0;
    const measure = await w.page.evaluateHandle(MEASURE);

    const priority: Sample[] = [];
    const status: Sample[] = [];
    for (let i = 0; i < changes; i++) {
      const chunk = names[(i * 7) % names.length] as string;
      const change =
        i % 2 === 0
          ? {
              method: 'PATCH',
              path: `/api/work-units/${chunk}/priority`,
              body: { priority: 1000 + i },
              selector: `li[data-chunk="${chunk}"] .prio`,
              text: `prio ${1000 + i}`,
              chunk,
            }
          : {
              method: 'PATCH',
              path: `/api/work-units/${chunk}/status`,
              body: { status: 'NEEDS_ATTENTION', reason: 'bench' },
              selector: `[data-group="NEEDS_ATTENTION"] li[data-chunk="${chunk}"]`,
              text: '',
              chunk,
            };
      const sample = (await measure.evaluate(
        (fn, arg) => (fn as (a: unknown) => Promise<Sample>)(arg),
        change,
      )) as Sample;
      (i % 2 === 0 ? priority : status).push(sample);
      // put the unit back so the next status sample on it can move again
      if (i % 2 === 1)
        await daemon.api('PATCH', `/api/work-units/${chunk}/status`, {
          status: 'BLOCKED',
          reason: 'bench reset',
        });
    }
    const problems = w.problems;

    return { units, settle, firstRender, priority, status, problems };
  } finally {
    await browser.close();
    await daemon.stop();
    scenario.cleanup();
  }
}

function print(r: DashboardResult): void {
  const { priority, status } = r;
  const all = [...priority, ...status];
  const line = (label: string, s: Sample[]) => {
    const f = (k: keyof Sample, p: number) =>
      pct(s.map((x) => x[k]).filter(Number.isFinite), p)
        .toFixed(1)
        .padStart(7);
    return `| ${label.padEnd(34)} | ${String(s.length).padStart(4)} | ${f('dom', 50)} | ${f('dom', 99)} | ${f('response', 50)} | ${f('render', 50)} | ${f('render', 99)} |`;
  };
  console.log(
    `dashboard bench: ${r.units} units on the page, ${all.length} changes, node ${process.version}`,
  );
  console.log(
    `daemon busy after injecting ${r.units} units: ${r.settle.toFixed(0)} ms until GET /api/work-units answers in < 300 ms`,
  );
  console.log(
    `first render of ${r.units} rows after opening the page: ${r.firstRender.toFixed(0)} ms (login, modules, snapshot, render)`,
  );
  console.log('| ms                                 |    n | change → DOM    | API     | ws message → DOM |');
  console.log(
    '|                                    |      |     p50 |     p99 |     p50 |     p50 |     p99 |',
  );
  console.log(
    `|${'-'.repeat(36)}|${'-'.repeat(6)}|${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(9)}|`,
  );
  console.log(line('priority edit (one row)', priority));
  console.log(line('forced status (row moves, inbox)', status));
  console.log(line('all', all));
  const load = loadavg()[0]?.toFixed(1);
  console.log(
    `machine load average (1 min) at the end: ${load}; the API column is the daemon's share under that load`,
  );
  if (r.problems.length > 0) console.log(`page problems: ${r.problems.join(' | ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    print(await measureDashboard(Number(process.argv[2] ?? 500), Number(process.argv[3] ?? 100)));
  } catch (e: unknown) {
    console.error(e);
    process.exit(1);
  }
}
