/**
 * Headless Chromium for dashboard tests and benches: Debian's `/usr/bin/chromium` driven by
 * playwright-core (no browser download), pages that record their errors, and screenshot paths.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { repoRoot } from './agent-fixtures.js';

export const CHROMIUM = process.env.VE_CHROMIUM ?? '/usr/bin/chromium';

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
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    // sockets closed on purpose (navigation, daemon stop) are not failures of the page
    if (!r.url().includes('/ws')) problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  if (opts.login) {
    await page.goto(opts.login);
    await page.waitForSelector('[data-connection="live"]');
  }
  return { page, context, problems };
}

/** `artifacts/screenshots/<name>.png`, created on demand (artifacts/ is gitignored). */
export function screenshotPath(name: string): string {
  const dir = join(repoRoot(), 'artifacts', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
