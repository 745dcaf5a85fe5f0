/**
 * The TESTS card in headless Chromium against a real daemon, real git and the fake Claude CLI: an
 * agent skips a test, the card says which and where, and Accept test changes (a confirmed, audited
 * approval) lets the unit land with it. Screenshots go to artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HistoryDto, WorkUnitDto } from '../../src/api/dto.js';
import { screenshotPath } from '../support/browser.js';
import { type DashboardSession, openDashboard } from '../support/dashboard-session.js';
import { makePipelineProject, type PipelineProject } from '../support/pipeline-project.js';

describe('the TESTS card', { timeout: 180_000 }, () => {
  let p: PipelineProject;
  let s: DashboardSession;

  before(async () => {
    p = makePipelineProject({
      chunks: [{ name: 'skipper', depends_on: [], planned: true }],
      prefix: 've-dash-tests-',
    });
    p.repo.writeFile(
      'test/parse.test.js',
      "const { test } = require('node:test');\ntest('parses', () => {});\n",
    );
    p.repo.commitAll('a test');
    p.setControl({
      'skipper:IMPLEMENT': [
        {
          tool: 'Bash',
          input: {
            command:
              "sed -i \"s/^test('parses'/test.skip('parses'/\" test/parse.test.js && git commit -qam skip",
          },
        },
        { normal: true },
      ],
    });
    s = await openDashboard({ root: p.root, env: p.env as Record<string, string> });
    await s.daemon.api('POST', '/api/work-units/inject', { chunks: ['skipper'] });
  });

  after(async () => {
    await s?.close();
    await p?.cleanup();
  });

  it('names the skipped test, and Accept test changes lets the unit land, audited', async () => {
    const { w } = s;
    const card = w.page.locator('.inbox [data-chunk="skipper"][data-kind="TESTS"]');
    await card.waitFor({ timeout: 60_000 });
    assert.match((await card.locator('.badge, .kind').first().textContent()) ?? '', /Tests weakened/);
    assert.match(
      (await card.locator('pre.reason').textContent()) ?? '',
      /- skips or focuses tests in test\/parse\.test\.js: test\.skip\('parses'/,
    );
    assert.equal(await card.getByRole('button', { name: 'Check again' }).count(), 1);
    await w.page.screenshot({ path: screenshotPath('tests-card'), fullPage: true });

    const accept = card.getByRole('button', { name: 'Accept test changes' });
    await accept.click();
    // a confirmed action: the first click asks, the second does it
    await card.getByRole('button', { name: 'Let skipper land with these test changes?' }).click();
    await card.waitFor({ state: 'detached' });
    await p.api.waitFor<WorkUnitDto>('/api/work-units/skipper', (u) => u.status === 'DONE', 60_000);
    assert.match(p.repo.git('show', 'main:test/parse.test.js'), /test\.skip\('parses'/);
    const history = await p.api.get<HistoryDto>('/api/work-units/skipper/history');
    assert.ok(history.history.some((h) => h.reason === 'test changes accepted by dashboard'));
    assert.deepEqual(w.problems, [], 'no script errors, CSP violations or failed loads');
  });
});
