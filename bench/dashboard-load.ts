/**
 * What the dashboard page loads: a real daemon on a small project, the page opened `loads` times in
 * headless Chromium, each in a fresh context (cold: nothing cached) and then reloaded (warm). Per load:
 * the module requests (the dashboard's own and the npm ones) and their bytes, navigation → last
 * module in, and navigation → the page live (the `/ws` snapshot rendered). Browser clock throughout.
 * Run: node dist/bench/dashboard-load.js [loads]
 */
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { fakeClaudePath } from '../test/support/agent-fixtures.js';
import { launchBrowser, openPage } from '../test/support/browser.js';
import { startDaemon } from '../test/support/daemon-process.js';
import { seedFinishedUnits } from '../test/support/finished-units.js';
import { makeTestRepo } from '../test/support/git-repo.js';

export interface PageLoad {
  ownModules: number;
  npmModules: number;
  /** bytes on the wire for all modules (a revalidated module counts its headers only) */
  moduleKiB: number;
  lastModuleMs: number;
  liveMs: number;
}

/** Reads the page's own resource timing; runs in the browser. */
function moduleLoad(): Omit<PageLoad, 'liveMs'> {
  const entries = performance
    .getEntriesByType('resource')
    .filter((e) =>
      /\.m?js$/.test(new URL(e.name).pathname),
    ) as import('node:perf_hooks').PerformanceResourceTiming[];
  const own = entries.filter((e) => new URL(e.name).pathname.startsWith('/assets/'));
  return {
    ownModules: own.length,
    npmModules: entries.length - own.length,
    moduleKiB: entries.reduce((n, e) => n + e.transferSize, 0) / 1024,
    lastModuleMs: Math.max(...entries.map((e) => e.responseEnd)),
  };
}

async function measurePage(page: Page): Promise<PageLoad> {
  await page.waitForSelector('[data-connection="live"]', { timeout: 60_000 });
  const liveMs = await page.evaluate(() => performance.now());
  return { ...(await page.evaluate(moduleLoad)), liveMs };
}

export async function measureLoad(
  loads = 5,
): Promise<{ cold: PageLoad[]; warm: PageLoad[]; problems: string[] }> {
  const repo = makeTestRepo();
  await seedFinishedUnits(repo.root, { done: 20, pairs: 2 });
  const daemon = await startDaemon({
    root: repo.root,
    env: { VE_CLAUDE_PATH: fakeClaudePath(), GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  const browser = await launchBrowser();
  const cold: PageLoad[] = [];
  const warm: PageLoad[] = [];
  const problems: string[] = [];
  try {
    for (let i = 0; i < loads; i++) {
      const w = await openPage(browser);
      await w.page.goto(daemon.loginUrl);
      cold.push(await measurePage(w.page));
      await w.page.reload();
      warm.push(await measurePage(w.page));
      problems.push(...w.problems);
      await w.context.close();
    }
    return { cold, warm, problems };
  } finally {
    await browser.close();
    await daemon.stop();
    repo.cleanup();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
};

function print(r: { cold: PageLoad[]; warm: PageLoad[]; problems: string[] }): void {
  console.log(`dashboard page load bench: ${r.cold.length} loads, node ${process.version}`);
  console.log('| load | own modules | npm modules | modules KiB | last module, ms | live, ms |');
  console.log('|------|------------:|------------:|------------:|----------------:|---------:|');
  for (const [label, l] of [
    ['cold', r.cold],
    ['warm', r.warm],
  ] as const) {
    const m = (f: (x: PageLoad) => number) => median(l.map(f)).toFixed(0);
    console.log(
      `| ${label} | ${m((x) => x.ownModules)} | ${m((x) => x.npmModules)} | ${m((x) => x.moduleKiB)} | ${m((x) => x.lastModuleMs)} | ${m((x) => x.liveMs)} |`,
    );
  }
  if (r.problems.length > 0) console.log(`page problems: ${r.problems.join(' | ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    print(await measureLoad(Number(process.argv[2] ?? 5)));
  } catch (e: unknown) {
    console.error(e);
    process.exit(1);
  }
}
