/**
 * The host pool on the dashboard, in headless Chromium against a real daemon: hidden while `local` is
 * the only host; a host added through the API appears live with its health and why (here: nothing
 * listens on its ssh port), and its drain, activate and slots buttons change the daemon's record,
 * which the row then shows. Screenshots go to artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HostListDto } from '../../src/api/dto.js';
import { screenshotPath } from '../support/browser.js';
import { type DashboardSession, openDashboard } from '../support/dashboard-session.js';
import { makePipelineProject, type PipelineProject } from '../support/pipeline-project.js';

describe('the host pool on the dashboard', { timeout: 180_000 }, () => {
  let p: PipelineProject;
  let s: DashboardSession;

  before(async () => {
    p = makePipelineProject({ chunks: [], prefix: 've-dash-hosts-' });
    s = await openDashboard({ root: p.root, env: p.env as Record<string, string> });
  });

  after(async () => {
    await s?.close();
    await p?.cleanup();
  });

  const far = async () =>
    (await s.daemon.api<HostListDto>('GET', '/api/hosts')).hosts.find((h) => h.name === 'far');

  it('shows an added host live with its health, and drains, activates and resizes it', async () => {
    const { daemon, w } = s;
    await w.page.waitForSelector('[data-testid="agents"]');
    assert.equal(await w.page.locator('[data-testid="hosts"]').count(), 0, 'hidden with local alone');
    const empty = await w.page.locator('p.empty', { hasText: 'No work units yet' }).textContent();
    assert.match(empty ?? '', /or run ve orch inject <chunk>\.$/, 'as written, not as an HTML entity');

    // port 1 on loopback: ssh is refused at once, so the host is added unreachable
    await daemon.api('POST', '/api/hosts', { name: 'far', ssh: 've@127.0.0.1:1', slots: 2 });
    const row = w.page.locator('[data-testid="hosts"] li[data-host="far"]');
    await row.waitFor();
    assert.match((await row.locator('.host-health').textContent()) ?? '', /^unreachable · .*refused/i);
    assert.equal((await row.locator('[data-testid="host-slots"]').textContent())?.trim(), '0/2 slots');
    const local = w.page.locator('[data-testid="hosts"] li[data-host="local"]');
    assert.equal(await local.getByRole('button', { name: /slots on/ }).count(), 0, 'local: max_agents');

    await row.getByRole('button', { name: 'Drain far' }).click();
    await w.page.locator('li[data-host="far"].state-draining').waitFor();
    assert.equal((await far())?.state, 'draining');
    await row.getByRole('button', { name: 'Activate far' }).click();
    await w.page.locator('li[data-host="far"].state-active').waitFor();
    assert.equal((await far())?.state, 'active');

    const slots = row.locator('[data-testid="host-slots"]');
    await row.getByRole('button', { name: 'More slots on far' }).click();
    await row.locator('[data-testid="host-slots"]', { hasText: '0/3 slots' }).waitFor();
    assert.equal((await far())?.slots, 3);
    await row.getByRole('button', { name: 'Fewer slots on far' }).click();
    await row.locator('[data-testid="host-slots"]', { hasText: '0/2 slots' }).waitFor();
    assert.equal((await slots.textContent())?.trim(), '0/2 slots');
    assert.equal((await far())?.slots, 2);
    await w.page.screenshot({ path: screenshotPath('hosts-panel'), fullPage: true });
    assert.deepEqual(w.problems, [], 'no script errors, CSP violations or failed loads');
  });
});
