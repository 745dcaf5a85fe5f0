/**
 * Headless Chromium for dashboard tests and benches: Debian's `/usr/bin/chromium` driven by
 * playwright-core (no browser download), pages that record their errors, and screenshot paths.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { repoRoot } from './agent-fixtures.js';

export const CHROMIUM = process.env.VE_CHROMIUM ?? '/usr/bin/chromium';

const COLD_LOAD_MS = 90_000;
export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 375, height: 812 };

/** Fails (never skips) when the browser is missing, with the command that installs it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install chromium: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Chromium cancels every request in flight when it sees the machine's network configuration change,
 * which happens on a shared test machine while other processes come and go. That is not a fault of
 * the page, and the page recovers from it while it boots (src/dashboard/boot.js reloads once).
 */
const NETWORK_CHANGED = 'net::ERR_NETWORK_CHANGED';

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** page errors, console errors (CSP violations land here) and failed module loads */
  problems: string[];
}

/**
 * A fresh context (own cookies) with a page that records what went wrong.
 * @param login when given, the page opens this URL first (the token link) and lands on the dashboard
 */
export async function openPage(
  browser: Browser,
  opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; login?: string } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? DESKTOP,
    colorScheme: opts.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes(NETWORK_CHANGED)) problems.push(`console: ${m.text()}`);
  });
  let networkChanged = false;
  page.on('requestfailed', (r) => {
    const error = r.failure()?.errorText ?? '';
    if (error === NETWORK_CHANGED) networkChanged = true;
    // after a network change, boot.js's reload cancels what was still in flight
    const reloaded = networkChanged && error === 'net::ERR_ABORTED';
    // sockets closed on purpose (navigation, daemon stop) are not failures of the page
    if (!r.url().includes('/ws') && error !== NETWORK_CHANGED && !reloaded)
      problems.push(`requestfailed: ${r.url()} ${error}`);
  });
  if (opts.login) {
    await page.goto(opts.login);
    // a fresh context loads ~160 modules cold; on a 2-core runner at load 12 that passed Playwright's 30 s
    await page.waitForSelector('[data-connection="live"]', { timeout: COLD_LOAD_MS });
  }
  return { page, context, problems };
}

/** `artifacts/screenshots/<name>.png`, created on demand (artifacts/ is gitignored). */
export function screenshotPath(name: string): string {
  const dir = join(repoRoot(), 'artifacts', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
