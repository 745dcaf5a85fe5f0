/**
 * The dashboard shows text as written, in headless Chromium against a real daemon, real git and the
 * fake Claude CLI: a goal naming the chunk `auth_login_flow` (snake_case stays literal, its table
 * renders, raw HTML stays text), and the diff of an agent's change that removes an SQL `-- comment`
 * (shown and counted). Also what the page loads cold: module requests and bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, screenshotPath, type WatchedPage } from '../support/browser.js';
import { writeChunk } from '../support/chunk-docs.js';
import { type DaemonProcess, startScriptedDaemon } from '../support/daemon-process.js';
import { makeTestRepo, type TestRepo } from '../support/git-repo.js';

const CHUNK = 'auth_login_flow';
const SCHEMA = '-- the users table\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n';

const GOAL = `Build ${CHUNK} so a user signs in; it replaces legacy_login_v1 and keeps *session_store* as it is.`;
const OUT_OF_SCOPE = `| chunk | state |
| --- | :---: |
| ${CHUNK} | planned |
| session_store | done |

Raw <script>window.__injected = 1</script> and <b>markup</b> stay text.`;

describe('dashboard text as written', { timeout: 120_000 }, () => {
  let repo: TestRepo;
  let daemon: DaemonProcess;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  const open = async () => {
    const w = await openPage(browser, { login: daemon.loginUrl });
    pages.push(w);
    return w;
  };

  before(async () => {
    repo = makeTestRepo();
    writeChunk(
      repo.root,
      CHUNK,
      { goal: GOAL, criteria: ['`auth_login_flow` signs a user in'], outOfScope: OUT_OF_SCOPE },
      null,
    );
    repo.commit({ 'db/schema.sql': SCHEMA }, 'schema and chunk');
    // the agent drops the SQL comment in its worktree and keeps working
    browser = await launchBrowser();
    daemon = await startScriptedDaemon(repo.root, [
      { tool: 'Write', input: { file_path: 'db/schema.sql', content: SCHEMA.replace(/^-- .*\n/, '') } },
      { text: `Removed the comment from ${CHUNK}'s schema.` },
      { hang: true },
    ]);
    await daemon.api('POST', '/api/work-units/inject', { chunks: [CHUNK] });
  });

  after(async () => {
    try {
      await Promise.all(pages.map((p) => p.context.close()));
      await browser?.close();
    } finally {
      await daemon?.stop();
      repo?.cleanup();
    }
  });

  it('renders the goal: the chunk name literal, its table, raw HTML as text', async () => {
    const w = await open();
    await w.page.goto(`${daemon.origin}/unit/${CHUNK}#goal`);
    const doc = w.page.locator('.doc .md').first(); // GOAL.md (PLAN.md follows)
    await doc.locator('table').waitFor();
    const text = (await doc.textContent()) ?? '';
    assert.match(text, /Build auth_login_flow so a user signs in; it replaces legacy_login_v1/);
    assert.deepEqual(
      await doc.locator('em').allTextContents(),
      ['session_store'],
      'only the *emphasis* is italic',
    );
    assert.deepEqual(await doc.locator('code').allTextContents(), ['auth_login_flow']);
    const rows = await doc
      .locator('table tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => `${c.tagName}:${c.textContent}`)));
    assert.deepEqual(rows, [
      ['TH:chunk', 'TH:state'],
      ['TD:auth_login_flow', 'TD:planned'],
      ['TD:session_store', 'TD:done'],
    ]);
    assert.equal(await doc.locator('th.align-center').textContent(), 'state');
    assert.equal(await doc.locator('script, b').count(), 0, 'no markup from the document');
    assert.match(text, /Raw <script>window\.__injected = 1<\/script> and <b>markup<\/b> stay text\./);
    assert.equal(await w.page.evaluate('window.__injected'), undefined);
    await w.page.screenshot({ path: screenshotPath('unit-goal-markdown-desktop'), fullPage: true });
    assert.deepEqual(w.problems, [], 'no script errors, CSP violations or failed loads');
  });

  it('shows and counts a removed "-- comment" line in the diff', async () => {
    const w = await open();
    await w.page.goto(`${daemon.origin}/unit/${CHUNK}#diff`);
    const file = w.page.locator('.diff-file', { has: w.page.locator('code:text("db/schema.sql")') });
    await file.waitFor();
    const lines = await file.locator('.diff-body .dl').allTextContents();
    assert.deepEqual(
      lines.map((l) => l.trimEnd()),
      ['@@ -1,2 +1 @@', '--- the users table', ' CREATE TABLE users (id INTEGER PRIMARY KEY);'],
    );
    assert.equal(
      ((await file.locator('.diff-body .dl.del').textContent()) ?? '').trimEnd(),
      '--- the users table',
    );
    assert.equal(((await file.locator('.diff-file-head .diff-stat').textContent()) ?? '').trim(), '+0 −1');
    const summary = w.page.locator('.diff-files li', { has: w.page.locator('code:text("db/schema.sql")') });
    assert.equal(((await summary.locator('.diff-stat').textContent()) ?? '').trim(), '+0 −1');
    await w.page.screenshot({ path: screenshotPath('unit-diff-sql-comment-desktop'), fullPage: true });
    assert.deepEqual(w.problems, [], 'no script errors, CSP violations or failed loads');
  });

  it('reloads itself once when a module fails to arrive, and says so when it fails again', async () => {
    const lost = '**/vendor/micromark@*/index.js';
    // the module this test drops, and the requests its reload cancels
    const provoked = (problem: string) =>
      /net::ERR_INTERNET_DISCONNECTED$/.test(problem) ||
      /^requestfailed: \S+\/vendor\/\S+ net::ERR_ABORTED$/.test(problem);

    const once = await openPage(browser);
    pages.push(once);
    let aborted = 0;
    await once.page.route(lost, async (route) => {
      if (aborted++ === 0) return route.abort('internetdisconnected');
      return route.continue();
    });
    await once.page.goto(daemon.loginUrl);
    await once.page.waitForSelector('[data-connection="live"]');
    assert.equal(aborted, 2, 'the module failed once and arrived after the reload');
    assert.ok(
      once.problems.some((p) => /micromark@.* net::ERR_INTERNET_DISCONNECTED$/.test(p)),
      'it was dropped',
    );
    assert.deepEqual(
      once.problems.filter((p) => !provoked(p)),
      [],
      'nothing else went wrong',
    );

    const never = await openPage(browser);
    pages.push(never);
    await never.page.route(lost, (route) => route.abort('internetdisconnected'));
    await never.page.goto(daemon.loginUrl);
    const alert = never.page.locator('#app .boot[role="alert"]');
    await alert.waitFor();
    assert.match(
      (await alert.textContent()) ?? '',
      /^The dashboard could not load \(.+\)\. Reload the page to try again\.$/,
    );
    assert.equal(await never.page.evaluate('sessionStorage.length'), 0, 'a manual reload tries twice again');
    assert.deepEqual(
      never.problems.filter((p) => !provoked(p)),
      [],
      'the failure is reported on the page, not thrown',
    );
  });

  it('loads a bounded number of modules cold, and the npm ones from the cache after that', async (t) => {
    const w = await open(); // a fresh context: nothing cached
    const modules = async () =>
      (await w.page.evaluate(`performance.getEntriesByType('resource')
        .filter((e) => /\\.m?js$/.test(new URL(e.name).pathname))
        .map((e) => ({ path: new URL(e.name).pathname, bytes: e.encodedBodySize, wire: e.transferSize }))`)) as {
        path: string;
        bytes: number;
        wire: number;
      }[];
    const loaded = await modules();
    const vendor = loaded.filter((m) => m.path.startsWith('/vendor/'));
    const own = loaded.filter((m) => m.path.startsWith('/assets/'));
    const kib = (list: typeof loaded) => Math.round(list.reduce((n, m) => n + m.bytes, 0) / 1024);
    t.diagnostic(
      `cold load: ${own.length} dashboard modules (${kib(own)} KiB) + ${vendor.length} npm modules (${kib(vendor)} KiB)`,
    );
    assert.equal(loaded.length, own.length + vendor.length, 'every module comes from the daemon');
    assert.ok(vendor.length > 100 && vendor.length <= 200, `${vendor.length} npm modules`);
    assert.ok(kib(vendor) <= 700, `${kib(vendor)} KiB of npm modules`);

    await w.page.reload();
    await w.page.waitForSelector('[data-connection="live"]');
    const again = await modules();
    assert.equal(again.filter((m) => m.path.startsWith('/vendor/')).length, vendor.length);
    assert.deepEqual(
      again.filter((m) => m.path.startsWith('/vendor/') && m.wire > 0).map((m) => m.path),
      [],
      'a reload takes every npm module from the cache',
    );
    assert.deepEqual(w.problems, []);
  });
});
