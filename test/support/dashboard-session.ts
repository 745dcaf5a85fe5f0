/** A real daemon, headless Chromium and one page logged in to its dashboard, for the browser tests. */
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, type WatchedPage } from './browser.js';
import { type DaemonOptions, type DaemonProcess, startDaemon } from './daemon-process.js';

export interface DashboardSession {
  daemon: DaemonProcess;
  browser: Browser;
  w: WatchedPage;
  /** closes the page and the browser, then stops the daemon */
  close(): Promise<void>;
}

export async function openDashboard(opts: DaemonOptions): Promise<DashboardSession> {
  const browser = await launchBrowser();
  let daemon: DaemonProcess | undefined;
  try {
    daemon = await startDaemon(opts);
    const w = await openPage(browser, { login: daemon.loginUrl });
    const started = daemon;
    return {
      daemon,
      browser,
      w,
      close: async () => {
        await w.context.close();
        await browser.close();
        await started.stop();
      },
    };
  } catch (e) {
    await browser.close();
    await daemon?.stop();
    throw e;
  }
}
