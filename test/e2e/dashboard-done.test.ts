/**
 * The dashboard on a long-lived project, in headless Chromium against a real daemon: with more
 * finished units than the snapshot carries, the page receives only the newest 100, still counts them
 * all, loads the rest with "Show older", opens an old one by its address, and keeps the counts true
 * while units finish or are deleted.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { WsMessage } from '../../src/api/dto.js';
import { fakeClaudePath } from '../support/agent-fixtures.js';
import { launchBrowser, openPage, screenshotPath, type WatchedPage } from '../support/browser.js';
import { type DaemonProcess, startDaemon } from '../support/daemon-process.js';
import { doneChunk, seedFinishedUnits, waitChunk } from '../support/finished-units.js';
import { makeTestRepo, type TestRepo } from '../support/git-repo.js';

const DONE = 130;
const SNAPSHOT_DONE = 100;
const done = '[data-group="DONE"]';

/** Runs before the page's scripts: keeps the first `/ws` snapshot the page receives. */
const SNAPSHOT_TAP = `(() => {
  const Base = window.WebSocket;
  window.WebSocket = class extends Base {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (e) => {
        if (!window.__snapshot && String(e.data).startsWith('{"type":"snapshot"')) window.__snapshot = String(e.data);
      });
    }
  };
})()`;

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').trim();

describe('dashboard with many finished units', { timeout: 120_000 }, () => {
  let repo: TestRepo;
  let daemon: DaemonProcess;
  let browser: Browser;
  let pages: WatchedPage[] = [];
  const open = async (path = '/') => {
    const w = await openPage(browser);
    pages.push(w);
    await w.page.addInitScript(SNAPSHOT_TAP);
    await w.page.goto(daemon.loginUrl);
    await w.page.waitForSelector('[data-connection="live"]');
    if (path !== '/') await w.page.goto(`${daemon.origin}${path}`);
    return w.page;
  };

  before(async () => {
    repo = makeTestRepo();
    // one question and one unit blocked behind it: two unfinished units no agent picks up
    await seedFinishedUnits(repo.root, { done: DONE, pairs: 1 });
    browser = await launchBrowser();
    daemon = await startDaemon({
      root: repo.root,
      env: { VE_CLAUDE_PATH: fakeClaudePath(), GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    });
  });

  /** Closes the test's pages after checking they logged nothing wrong beyond what the test provoked. */
  const closePages = async (provoked?: RegExp) => {
    const problems = pages.flatMap((p) => p.problems).filter((p) => !provoked?.test(p));
    await Promise.all(pages.map((p) => p.context.close()));
    pages = [];
    assert.deepEqual(problems, [], 'no script errors, CSP violations or failed loads');
  };

  afterEach(async () => {
    await Promise.all(pages.map((p) => p.context.close()));
    pages = [];
  });

  after(async () => {
    await browser?.close();
    await daemon?.stop();
    repo?.cleanup();
  });

  it('receives the newest 100 finished units, counts all 130, and shows older ones on request', async () => {
    const page = await open();
    const raw = (await page.evaluate('window.__snapshot')) as string;
    const snap = JSON.parse(raw) as WsMessage;
    assert.ok(snap.type === 'snapshot');
    const finished = snap.data.work_units.filter((u) => u.status === 'DONE').map((u) => u.chunk);
    const newest = Array.from({ length: SNAPSHOT_DONE }, (_, k) => doneChunk(DONE - 1 - k));
    assert.deepEqual(finished, newest, 'only the newest 100, most recent first');
    assert.equal(snap.data.work_units.length, SNAPSHOT_DONE + 2);
    assert.equal(snap.data.done_next_after, doneChunk(DONE - SNAPSHOT_DONE));
    assert.equal(snap.data.status.counts.DONE, DONE);

    await page.waitForSelector(`${done} .group-n`);
    assert.equal(await text(page, '#units-title .count'), String(DONE + 2));
    assert.equal(await text(page, '.chips button.chip:not([data-status]) .n'), String(DONE + 2));
    assert.equal(await text(page, '.chips button[data-status="DONE"] .n'), String(DONE));
    assert.equal(await text(page, `${done} .group-n`), String(DONE));
    assert.match(
      await text(page, '[data-testid="total-cost"]'),
      /\$32\.50/,
      '130 × $0.25, most not on the page',
    );

    await page.click(`${done} .group-toggle`);
    assert.equal(await page.locator(`${done} li[data-chunk]`).count(), SNAPSHOT_DONE);
    assert.match(await text(page, `${done} .more`), /100 of 130 loaded/);
    await page.locator(`${done} .more`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('done-show-older-desktop') });
    await page.click(`${done} .more button:text("Show older")`);
    await page.waitForSelector(`${done} .more`, { state: 'detached' });
    const rows = await page
      .locator(`${done} li[data-chunk]`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-chunk')));
    assert.deepEqual(
      rows,
      Array.from({ length: DONE }, (_, k) => doneChunk(DONE - 1 - k)),
      'every finished unit once, newest first',
    );
    assert.equal(await text(page, `${done} .group-n`), String(DONE), 'loading more counts nothing twice');
    await closePages();
  });

  it('opens a finished unit the snapshot did not carry by its address', async () => {
    const page = await open(`/unit/${doneChunk(3)}`);
    await page.waitForSelector('.unit-page .facts');
    assert.match(await text(page, '.unit-head'), /Done/);
    assert.equal(await page.locator('.unit-page .empty').count(), 0);
    await page.goto(`${daemon.origin}/unit/no_such_unit`);
    await page.waitForSelector('.unit-page .empty:has-text("There is no work unit named")');
    // the unit's own 404, which the page turns into the text above
    await closePages(/status of 404/);
  });

  it('keeps the counts true when a unit finishes and an unloaded finished unit is deleted', async () => {
    const page = await open();
    await page.waitForSelector(`${done} .group-n:text("${DONE}")`);
    await daemon.api('PATCH', `/api/work-units/${waitChunk(0)}/status`, {
      status: 'DONE',
      reason: 'by hand',
    });
    await page.waitForSelector(`.chips button[data-status="DONE"] .n:text("${DONE + 1}")`);
    assert.equal(await text(page, '#units-title .count'), String(DONE + 2));
    await daemon.api('DELETE', `/api/work-units/${doneChunk(0)}?force=true`);
    await page.waitForSelector(`.chips button[data-status="DONE"] .n:text("${DONE}")`);
    assert.equal(await text(page, '#units-title .count'), String(DONE + 1));
    // the unit that finished cost nothing; the deleted one took its $0.25 along
    await page.waitForSelector('[data-testid="total-cost"]:has-text("$32.25")');
    await closePages();
  });
});
