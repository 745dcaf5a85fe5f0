/**
 * Budgets on the dashboard, in headless Chromium against a real daemon, real git and fake Claude CLIs
 * that spend: the BUDGET card says which limit and raises it (the unit then finishes), the unit page
 * shows spend against the limit, a spent project window is one banner with a raise, and units waiting
 * on a usage limit show when it resets. Screenshots go to artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StatusDto, UnitListDto } from '../../src/api/dto.js';
import { screenshotPath, type WatchedPage } from '../support/browser.js';
import type { DaemonProcess } from '../support/daemon-process.js';
import { type DashboardSession, openDashboard } from '../support/dashboard-session.js';
import { makePipelineProject, type PipelineProject } from '../support/pipeline-project.js';

const HOUR = 3_600_000;

describe('budgets on the dashboard', { timeout: 180_000 }, () => {
  let p: PipelineProject;
  let s: DashboardSession;
  let daemon: DaemonProcess;
  let w: WatchedPage;
  const resetAt = new Date(Date.now() + 2 * HOUR);

  before(async () => {
    p = makePipelineProject({
      chunks: [
        { name: 'spender', depends_on: [], planned: true },
        { name: 'limited', depends_on: [], planned: true },
      ],
      prefix: 've-dash-budget-',
    });
    p.setControl({
      'spender:IMPLEMENT': [{ spend: 0.6 }, { normal: true }],
      'spender:REVIEW': { runs: [[{ spend: 0.6 }, { normal: true }], [{ normal: true }]] },
      'limited:IMPLEMENT': [{ error: `You've hit your usage limit · resets at ${resetAt.toISOString()}` }],
    });
    s = await openDashboard({ root: p.root, env: p.env as Record<string, string> });
    ({ daemon, w } = s);
    await daemon.api('PATCH', '/api/config', { unit_budget_usd: 1 });
    await daemon.api('POST', '/api/work-units/inject', { chunks: ['spender', 'limited'] });
  });

  after(async () => {
    await s?.close();
    await p?.cleanup();
  });

  it('shows a BUDGET card naming the limit, and its raise lets the unit finish', async () => {
    const card = w.page.locator('.inbox [data-chunk="spender"][data-kind="BUDGET"]');
    await card.waitFor({ timeout: 60_000 });
    assert.match(
      (await card.locator('.reason').textContent()) ?? '',
      /^Unit budget reached: \$1\.20 of \$1\.00 \(unit_budget_usd\)/,
    );
    assert.match((await card.locator('label').textContent()) ?? '', /Raise unit_budget_usd from \$1\.00 to/);
    assert.equal(await card.locator('input').inputValue(), '2.40', 'twice what it spent');

    const usage = w.page.locator('[data-testid="usage-limit"]');
    await usage.waitFor();
    const shown = resetAt.toLocaleTimeString('en-US', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    assert.equal(
      (await usage.textContent())?.replace(/\s+/g, ' ').trim(),
      `Usage limit: resumes at ${shown}, 1 unit waiting.`,
    );
    await w.page.screenshot({ path: screenshotPath('budget-card'), fullPage: true });

    await w.page.goto(`${daemon.origin}/unit/spender`);
    await w.page.waitForSelector('[data-testid="unit-spend"]');
    assert.equal(await w.page.textContent('[data-testid="unit-spend"]'), '$1.20 of $1.00');
    await w.page.goto(daemon.origin);

    await card.locator('input').fill('3');
    await card.locator('button[type=submit]').click();
    await card.waitFor({ state: 'detached' });
    await p.api.waitFor<UnitListDto>(
      '/api/work-units',
      (u) => u.work_units.some((x) => x.chunk === 'spender' && x.status === 'DONE'),
      60_000,
    );
    assert.equal((await daemon.api<{ unit_budget_usd: number }>('GET', '/api/config')).unit_budget_usd, 3);
  });

  it('shows a spent project window once, in a banner whose raise starts work again', async () => {
    await daemon.api('PATCH', '/api/config', { project_budget_usd: 1 });
    const banner = w.page.locator('[data-testid="project-budget"]');
    await banner.waitFor();
    assert.match(
      (await banner.textContent())?.replace(/\s+/g, ' ') ?? '',
      /Project budget reached: \$1\.20 of \$1\.00 in the last 24 h\. No phase starts until .+ \(1 unit waiting\)\./,
    );
    assert.equal(await w.page.locator('.inbox [data-kind="BUDGET"]').count(), 0, 'no item per unit');
    assert.match(
      (await w.page.textContent('[data-testid="project-spend"]')) ?? '',
      /\$1\.20 of \$1\.00 in 24 h/,
    );
    await w.page.screenshot({ path: screenshotPath('budget-project-banner'), fullPage: true });
    await banner.locator('button').click();
    await banner.waitFor({ state: 'detached' });
    const status = await daemon.api<StatusDto>('GET', '/api/status');
    assert.equal(status.budget?.project?.limit_usd, 2.4, 'twice what was spent');
    assert.equal(status.budget?.project?.reached, false);
    assert.deepEqual(w.problems, [], 'no script errors, CSP violations or failed loads');
  });
});
