/**
 * The dashboard in headless Chromium against a real daemon process, real git and the fake Claude CLI:
 * token, inbox answers seen by every open page, live grid, streaming log, conflict and error items,
 * resync after a restart, and a cross-origin page that must not act. Screenshots go to
 * artifacts/screenshots/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { WorkUnit } from '../../src/domain/work-unit.js';
import { launchBrowser, openPage, PHONE, screenshotPath, type WatchedPage } from '../support/browser.js';
import { type DaemonProcess, startDaemon } from '../support/daemon-process.js';
import { makeScenario, QUESTION, type Scenario } from '../support/dashboard-scenario.js';

const card = (chunk: string) => `.inbox [data-chunk="${chunk}"]`;
const row = (group: string, chunk: string) => `[data-group="${group}"] li[data-chunk="${chunk}"]`;

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

async function unitOf(d: DaemonProcess, chunk: string): Promise<WorkUnit> {
  return d.api<WorkUnit>('GET', `/api/work-units/${chunk}`);
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dashboard in a browser', { timeout: 180_000 }, () => {
  let scenario: Scenario;
  let daemon: DaemonProcess;
  let browser: Browser;
  let pages: WatchedPage[] = [];
  const open = async (opts: Parameters<typeof openPage>[1] = {}) => {
    const w = await openPage(browser, { login: daemon.loginUrl, ...opts });
    pages.push(w);
    return w;
  };
  /** Closes this test's pages after checking they logged nothing wrong beyond what the test provoked. */
  const closePages = async (provoked?: RegExp) => {
    const problems = pages.flatMap((p) => p.problems).filter((p) => !provoked?.test(p));
    await Promise.all(pages.map((p) => p.context.close()));
    pages = [];
    assert.deepEqual(problems, [], 'no script errors, CSP violations or failed loads');
  };

  before(async () => {
    browser = await launchBrowser();
    scenario = makeScenario();
    daemon = await startDaemon({ root: scenario.repo.root, env: scenario.env });
    await daemon.api('PATCH', '/api/config', { max_agents: 4 });
    await daemon.api('POST', '/api/work-units/inject', {
      chunks: ['ask_store', 'e_fail', 'c_api', 'g_wait'],
    });
  });

  afterEach(async () => {
    // a failed test leaves its pages open: close them so their noise stays with that test
    await Promise.all(pages.map((p) => p.context.close()));
    pages = [];
  });

  after(async () => {
    await browser?.close();
    await daemon?.stop();
    scenario?.cleanup();
  });

  it('asks for the token and lets the ve orch url link in once', async () => {
    const w = await openPage(browser, { viewport: PHONE });
    pages.push(w);
    assert.equal((await w.page.goto(`${daemon.origin}/?token=wrong`))?.status(), 401);
    const res = await w.page.goto(`${daemon.origin}/`);
    assert.equal(res?.status(), 401);
    assert.match((await w.page.textContent('body')) ?? '', /needs its access token/);
    await shoot(w.page, 'login-phone');
    const api = await w.page.evaluate(async () => (await fetch('/api/status')).status);
    assert.equal(api, 401, 'the API refuses a browser without the cookie');
    const ws = await w.page.evaluate(
      (url) =>
        new Promise<string>((done) => {
          const s = new WebSocket(url);
          s.onmessage = () => done('received');
          s.onclose = () => done('closed');
        }),
      `${daemon.origin.replace('http', 'ws')}/ws`,
    );
    assert.equal(ws, 'closed', 'the live stream refuses a browser without the cookie');

    await w.page.fill('#t', daemon.token);
    await w.page.click('button[type=submit]');
    await w.page.waitForSelector('[data-connection="live"]');
    assert.equal(new URL(w.page.url()).search, '', 'the token leaves the address bar');
    const cookies = await w.context.cookies();
    assert.ok(cookies.some((c) => c.name === 've_token' && c.httpOnly && c.sameSite === 'Strict'));
    await closePages(/status of 401|WebSocket connection to/);
  });

  it('shows the question an agent asked; an option resumes it and the item leaves every open page', async () => {
    const [a, b] = [await open(), await open({ viewport: PHONE })];
    const log = await open();
    for (const w of [a, b])
      await w.page.waitForSelector(`${card('ask_store')}[data-kind="QUESTION"]`, { timeout: 20_000 });
    const text = await a.page.textContent(card('ask_store'));
    assert.match(text ?? '', new RegExp(QUESTION.replace('?', '\\?')));
    assert.match(text ?? '', /Plan/);
    assert.match(text ?? '', /waiting \d+s/);

    await log.page.click(`${card('ask_store')} a.chunk`);
    await log.page.waitForURL(/\/unit\/ask_store$/);
    await log.page.waitForSelector('.log [data-ev="question"]');
    assert.equal(await log.page.locator('.log :text("Operator answered")').count(), 0);
    await shoot(log.page, 'unit-log-question-desktop');

    await a.page.click(`${card('ask_store')} button[data-option="SQLite"]`);
    for (const w of [a, b, log]) await w.page.waitForSelector(card('ask_store'), { state: 'detached' });
    await log.page.waitForSelector('.unit-attention', { state: 'detached' });
    // the resumed agent's events stream into the open log view
    await log.page.waitForSelector('.log :text("Operator answered: SQLite")');
    await log.page.waitForSelector('.log [data-ev="text"] strong:text("adapter")');
    const unit = await until('ask_store running again', async () => {
      const u = await unitOf(daemon, 'ask_store');
      return u.status === 'RUNNING' && u;
    });
    assert.equal(unit.question, null);
    const history = await daemon.api<{ attention: { answer: string | null }[] }>(
      'GET',
      '/api/work-units/ask_store/history',
    );
    assert.match(history.attention.at(-1)?.answer ?? '', /SQLite/);
    await shoot(log.page, 'unit-log-streaming-desktop');
    await closePages();
  });

  it('raises a conflict with both chunks and the overlapping file; parallelize lets it run', async () => {
    await until('c_api implementing', async () => (await unitOf(daemon, 'c_api')).status === 'RUNNING');
    await daemon.api('POST', '/api/work-units/inject', { chunks: ['c_file'] });
    const w = await open();
    await w.page.waitForSelector(`${card('c_file')}[data-kind="CONFLICT"]`, { timeout: 20_000 });
    await w.page.waitForSelector(`${card('c_file')} .files code:text("src/api.ts")`);
    assert.match((await w.page.textContent(`${card('c_file')} .pair-title`)) ?? '', /c_file ⇄ c_api/);
    await w.page.waitForSelector(`${card('e_fail')}[data-kind="ERROR"]`, { timeout: 20_000 });
    await shoot(w.page, 'home-inbox-desktop');
    const phone = await open({ viewport: PHONE });
    await phone.page.waitForSelector(`${card('c_file')} .files`);
    await shoot(phone.page, 'home-inbox-phone');
    const dark = await open({ viewport: PHONE, colorScheme: 'dark' });
    await dark.page.waitForSelector(`${card('c_file')} .files`);
    await shoot(dark.page, 'home-inbox-phone-dark');

    await w.page.click(`${card('c_file')} button[data-verdict="parallelize"]`);
    await w.page.waitForSelector(card('c_file'), { state: 'detached' });
    await w.page.waitForSelector(row('RUNNING', 'c_file'));
    const conflicts = await daemon.api<{ conflicts: { override: string | null }[] }>(
      'GET',
      '/api/conflicts?chunk=c_file',
    );
    assert.ok(conflicts.conflicts.some((c) => c.override === 'INDEPENDENT'));
    await closePages();
  });

  it('retries an error item', async () => {
    const w = await open();
    await w.page.waitForSelector(`${card('e_fail')}[data-kind="ERROR"]`);
    assert.match((await w.page.textContent(card('e_fail'))) ?? '', /the migration tool crashed/);
    await w.page.click(`${card('e_fail')} .retry button.primary`);
    const history = await until('a retry in the audit log', async () => {
      const h = await daemon.api<{ history: { reason: string | null }[] }>(
        'GET',
        '/api/work-units/e_fail/history',
      );
      return h.history.some((e) => /retried by the operator/.test(e.reason ?? '')) && h;
    });
    assert.ok(history);
    await closePages();
  });

  it('moves a unit through the grid live, with picker, priority and max_agents actions', async () => {
    const w = await open();
    const phone = await open({ viewport: PHONE });
    await w.page.click('button:text("Add work")');
    await w.page.waitForSelector('dialog[open] .pick');
    await shoot(w.page, 'inject-dialog-desktop');
    await w.page.check('dialog input[value="g_move"]');
    await w.page.click('dialog button[type=submit]');
    await w.page.waitForSelector('dialog', { state: 'detached' });
    for (const p of [w.page, phone.page]) await p.waitForSelector(row('BLOCKED', 'g_move'));
    assert.match((await w.page.textContent(row('BLOCKED', 'g_move'))) ?? '', /waits for ask_store/);

    await daemon.api('PATCH', '/api/work-units/g_move/status', {
      status: 'NEEDS_ATTENTION',
      reason: 'looked odd',
    });
    for (const p of [w.page, phone.page]) await p.waitForSelector(row('NEEDS_ATTENTION', 'g_move'));
    await w.page.waitForSelector(card('g_move'));
    await daemon.api('PATCH', '/api/work-units/g_move/status', { status: 'DONE', reason: 'merged by hand' });
    for (const p of [w.page, phone.page]) await p.waitForSelector(row('DONE', 'g_move'));
    await w.page.waitForSelector(card('g_move'), { state: 'detached' });

    await w.page.click(`${row('BLOCKED', 'g_wait')} button:text("Next")`);
    await w.page.waitForSelector(`${row('BLOCKED', 'g_wait')} .prio`);
    assert.ok((await unitOf(daemon, 'g_wait')).priority > 0);

    const agents = w.page.locator('[data-testid="agents"]');
    assert.match((await agents.textContent()) ?? '', /\/ 4 agents/);
    await w.page.click('button[aria-label^="Fewer agents"]');
    await phone.page.waitForSelector('[data-testid="agents"]:has-text("/ 3 agents")');
    assert.equal((await daemon.api<{ max_agents: number }>('GET', '/api/config')).max_agents, 3);
    await w.page.click('button[aria-label^="More agents"]');
    await phone.page.waitForSelector('[data-testid="agents"]:has-text("/ 4 agents")');

    await w.page.click('.chips button[data-status="BLOCKED"]');
    assert.match(new URL(w.page.url()).search, /status=BLOCKED/);
    assert.equal(await w.page.locator('[data-group="RUNNING"]').count(), 0);
    await w.page.click('.chips button[data-status="BLOCKED"]');
    await shoot(w.page, 'home-grid-desktop');
    await shoot(phone.page, 'home-grid-phone');
    assert.ok(
      ((await phone.page.evaluate('document.documentElement.scrollWidth')) as number) <= PHONE.width,
      'no sideways scrolling at 375 px',
    );
    await closePages();
  });

  it('keeps the unit page live: timeline, goal, diff and guidance to the agent', async () => {
    const w = await open();
    await w.page.goto(`${daemon.origin}/unit/ask_store#timeline`);
    await w.page.waitForSelector('.timeline .tl');
    assert.match((await w.page.textContent('.timeline')) ?? '', /Answered by operator/);
    await shoot(w.page, 'unit-timeline-desktop');
    await w.page.click('#tab-goal');
    await w.page.waitForSelector('.doc strong:text("store")');
    await shoot(w.page, 'unit-goal-desktop');
    await w.page.click('#tab-diff');
    const file = w.page.locator('.diff-file', { has: w.page.locator('code:text("src/store.ts")') });
    assert.match((await file.locator('.diff-body').textContent()) ?? '', /\+export const store = "sqlite";/);
    await shoot(w.page, 'unit-diff-desktop');
    // guidance goes into the running session and shows up in its log
    await w.page.click('summary:text("Send guidance")');
    await w.page.fill('#guidance', 'Keep the adapter small.');
    await w.page.click('button:text("Send guidance")');
    await w.page.click('#tab-log');
    await w.page.waitForSelector('.log [data-ev="guidance"]:has-text("Keep the adapter small.")');
    const phone = await open({ viewport: PHONE });
    await phone.page.goto(`${daemon.origin}/unit/ask_store`);
    await phone.page.waitForSelector('.log [data-ev="text"]');
    await shoot(phone.page, 'unit-log-phone');
    assert.ok(
      ((await phone.page.evaluate('document.documentElement.scrollWidth')) as number) <= PHONE.width,
      'no sideways scrolling at 375 px',
    );
    // keyboard: the tabs move with the arrow keys
    await phone.page.focus('#tab-log');
    await phone.page.keyboard.press('ArrowRight');
    await phone.page.waitForSelector('#tab-timeline[aria-selected="true"]');
    assert.equal(await phone.page.locator(':focus').getAttribute('id'), 'tab-timeline');
    await closePages();
  });

  it('warns in the header when agents run without the OS sandbox', async () => {
    await daemon.api('PATCH', '/api/config', { agent_sandbox: 'off' });
    try {
      const { page } = await open();
      const warning = page.getByTestId('sandbox-warning');
      await warning.waitFor();
      const title = (await warning.getAttribute('title')) ?? '';
      assert.match(title, /agent_sandbox is off/);
      // the residue the tool policy alone cannot judge (issue 12)
      assert.match(title, /cannot see what inline code \(node -e, python -c, perl -e, …\)/);
    } finally {
      await daemon.api('PATCH', '/api/config', { agent_sandbox: 'auto' });
    }
    const status = await daemon.api<{ agent_sandbox: { active: boolean } }>('GET', '/api/status');
    const { page } = await open();
    await page.locator('.base').waitFor(); // drawn from the snapshot's status, like the warning
    assert.equal(await page.getByTestId('sandbox-warning').count(), status.agent_sandbox.active ? 0 : 1);
    await closePages();
  });

  it('a cross-origin page on the same host cannot act or listen, even with the cookie', async () => {
    const w = await open();
    // control: the same request from the dashboard's own origin works
    const own = await w.page.evaluate(async () => {
      const r = await fetch('/api/work-units/inject', {
        method: 'POST',
        body: JSON.stringify({ chunks: ['x_control'] }),
      });
      return r.status;
    });
    assert.equal(own, 201);

    const evil = await serveEvil(daemon.port);
    try {
      await w.page.goto(evil.url);
      const outcome = await w.page.evaluate(async (origin) => {
        const body = JSON.stringify({ chunks: ['x_evil'] });
        await fetch(`${origin}/api/work-units/inject`, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          body,
        });
        const read = await fetch(`${origin}/api/status`, { credentials: 'include' }).then(
          () => 'read',
          () => 'blocked',
        );
        const ws = await new Promise<string>((done) => {
          const s = new WebSocket(`${origin.replace('http', 'ws')}/ws`);
          s.onmessage = () => done('received');
          s.onclose = () => done('closed');
        });
        return { read, ws };
      }, daemon.origin);
      assert.deepEqual(outcome, { read: 'blocked', ws: 'closed' });
      await Promise.all([
        w.page.waitForURL(/\/api\/work-units\/inject$/),
        w.page.$eval('#f', (form) => (form as unknown as { submit(): void }).submit()),
      ]);
      assert.match((await w.page.textContent('body')) ?? '', /cross-origin request refused/);
      const units = await daemon.api<{ work_units: WorkUnit[] }>('GET', '/api/work-units');
      assert.ok(!units.work_units.some((u) => u.chunk === 'x_evil'), 'the cross-origin inject was refused');
      assert.ok(units.work_units.some((u) => u.chunk === 'x_control'));
      // what the refused attempts log, and the daemon's 404 for the favicon of its 403 page
      await closePages(
        /status of 40[34]|CORS policy|net::ERR_FAILED|inject net::ERR_ABORTED|WebSocket connection to/,
      );
    } finally {
      await evil.close();
    }
  });

  it('shows the lost connection and resyncs after the daemon restarts', async () => {
    const w = await open();
    const port = daemon.port;
    await daemon.stop();
    await w.page.waitForSelector('[data-connection="reconnecting"]');
    await w.page.waitForSelector('.banner:text("Lost the connection")');
    await shoot(w.page, 'reconnecting-desktop');
    daemon = await startDaemon({ root: scenario.repo.root, env: scenario.env, port });
    await w.page.waitForSelector('[data-connection="live"]', { timeout: 20_000 });
    await daemon.api('PATCH', '/api/work-units/g_wait/priority', { priority: 42 });
    await w.page.waitForSelector(`${row('BLOCKED', 'g_wait')} .prio:text("prio 42")`);
    assert.equal(await w.page.locator('.banner').count(), 0);
    // the page's reconnect attempts while the daemon was down
    await closePages(/ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|WebSocket connection to/);
  });
});

/** A page on 127.0.0.1 but another port: same site as the dashboard (so the cookie goes along), another origin. */
async function serveEvil(daemonPort: number): Promise<{ url: string; close(): Promise<void> }> {
  const page = `<!doctype html><title>evil</title>
<form id="f" method="post" enctype="text/plain" action="http://127.0.0.1:${daemonPort}/api/work-units/inject">
<input name='{"chunks":["x_evil"],"x":"' value='"}'></form>`;
  const server: Server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(page),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}
