/**
 * The PLAN card in headless Chromium against a real daemon, real git and the fake Claude CLI: with
 * plan_approval on, the plan the agent committed is shown rendered (GFM: a table, a task list), the
 * feedback box resumes the PLAN session and the revised plan comes back, and Approve moves the unit
 * on to IMPLEMENT. Screenshots go to artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { HistoryDto, WorkUnitDto } from '../../src/api/dto.js';
import { launchBrowser, openPage, PHONE, screenshotPath, type WatchedPage } from '../support/browser.js';
import { writeChunk } from '../support/chunk-docs.js';
import { type DaemonProcess, startScriptedDaemon } from '../support/daemon-process.js';
import { makeTestRepo, type TestRepo } from '../support/git-repo.js';

const CHUNK = 'plan_card';
const FEEDBACK = 'Keep the old store readable during the switch.';

const plan = (approach: string) =>
  [
    '# Plan',
    '',
    '## Approach',
    '',
    approach,
    '',
    '| file | change |',
    '| --- | --- |',
    '| `src/store.ts` | new adapter |',
    '',
    '## Steps',
    '',
    '- [x] read the storage layer',
    '- [ ] write the adapter',
    '  Location: src/store.ts#Store',
    '',
  ].join('\n');

const writePlan = (approach: string, message: string) => [
  { tool: 'Write', input: { file_path: `docs/chunks/${CHUNK}/PLAN.md`, content: plan(approach) } },
  { tool: 'Bash', input: { command: `git add -A && git commit -qm '${message}'` } },
  { result: message },
];

/** The first PLAN session plans; resumed with the operator's feedback, it revises; the rest works on. */
const SCRIPT = {
  byPrompt: [
    {
      match: 'asks for changes before approving it',
      steps: writePlan(
        'Put the store behind an adapter, and **read the old format** while migrating.',
        'plan revised',
      ),
    },
    { match: '# PLAN phase', steps: writePlan('Put the store behind an adapter.', 'plan written') },
  ],
  default: [{ text: 'Working on it.' }, { hang: true }],
};

describe('the PLAN card', { timeout: 120_000 }, () => {
  let repo: TestRepo;
  let daemon: DaemonProcess;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  const card = `.inbox [data-chunk="${CHUNK}"][data-kind="PLAN"]`;

  before(async () => {
    repo = makeTestRepo();
    writeChunk(repo.root, CHUNK, { goal: 'Give the service a persistent store.', depends_on: [] }, null);
    // a broken override of a phase this unit does not run: named in the header, stops nothing else
    mkdirSync(join(repo.root, 've', 'prompts'), { recursive: true });
    writeFileSync(join(repo.root, 've', 'prompts', 'goal.md'), '# GOAL phase for {{ticket}}\n');
    repo.git(['add', '-A']);
    repo.git(['commit', '-q', '-m', 'chunks']);
    browser = await launchBrowser();
    daemon = await startScriptedDaemon(repo.root, SCRIPT);
    await daemon.api('PATCH', '/api/config', { plan_approval: true });
    await daemon.api('POST', '/api/work-units/inject', { chunks: [CHUNK] });
  });

  after(async () => {
    await Promise.all(pages.map((p) => p.context.close()));
    await browser?.close();
    await daemon?.stop();
    repo?.cleanup();
  });

  it('shows the committed plan rendered; feedback brings a revision back; Approve moves it on', async () => {
    const w = await openPage(browser, { login: daemon.loginUrl });
    const phone = await openPage(browser, { login: daemon.loginUrl, viewport: PHONE });
    pages.push(w, phone);
    const { page } = w;
    await page.waitForSelector(`${card} [data-testid="plan"] table`, { timeout: 30_000 });
    const doc = `${card} [data-testid="plan"]`;
    assert.equal((await page.textContent(`${doc} h4`))?.trim(), 'Approach', '## under the card');
    assert.equal((await page.textContent(`${doc} td code`))?.trim(), 'src/store.ts');
    assert.equal(await page.locator(`${doc} input[type="checkbox"]`).count(), 2);
    assert.doesNotMatch((await page.textContent(doc)) ?? '', /\| ---|\[x\]/, 'no Markdown source shows');
    assert.match(
      (await page.textContent(card)) ?? '',
      new RegExp(`PLAN\\.md on orch/${CHUNK} at [0-9a-f]{7}`),
    );
    await phone.page.waitForSelector(`${card} [data-testid="plan"] table`);
    const warning = page.locator('[data-testid="prompt-warning"]');
    assert.equal((await warning.textContent())?.trim(), '⚠ ve/prompts/goal.md refused');
    assert.match(
      (await warning.getAttribute('title')) ?? '',
      /unknown placeholder \{\{ticket\}\}; .*GOAL does not run/,
    );
    await page.screenshot({ path: screenshotPath('plan-card'), fullPage: true });
    await phone.page.screenshot({ path: screenshotPath('plan-card-phone'), fullPage: true });

    const before = await daemon.api<WorkUnitDto>('GET', `/api/work-units/${CHUNK}`);
    await page.fill(`${card} textarea`, FEEDBACK);
    await page.click(`${card} form.free button[type="submit"]`);
    // the same card comes back once the resumed session has revised and committed the plan
    await page.locator(doc, { hasText: 'read the old format' }).waitFor({ timeout: 30_000 });
    const revised = await daemon.api<WorkUnitDto>('GET', `/api/work-units/${CHUNK}`);
    assert.equal(revised.attention_kind, 'PLAN');
    assert.ok(revised.version > before.version);
    const history = await daemon.api<HistoryDto>('GET', `/api/work-units/${CHUNK}/history`);
    assert.ok(history.attention.some((a) => a.kind === 'PLAN' && a.answer === FEEDBACK));
    assert.equal((await page.textContent(`${doc} strong`))?.trim(), 'read the old format');

    await page.click(`${card} [data-action="approve"]`);
    await page.waitForSelector(card, { state: 'detached' });
    await phone.page.waitForSelector(card, { state: 'detached' });
    const approved = await daemon.api<WorkUnitDto>('GET', `/api/work-units/${CHUNK}`);
    assert.equal(approved.phase, 'IMPLEMENT');
    const audit = await daemon.api<HistoryDto>('GET', `/api/work-units/${CHUNK}/history`);
    assert.ok(audit.history.some((h) => h.event === 'approve' && h.reason === 'plan approved by dashboard'));
    assert.deepEqual(
      [...w.problems, ...phone.problems],
      [],
      'no script errors, CSP violations or failed loads',
    );
  });
});
