/**
 * Issue 11 item 5 through the real CLI, daemon, git and SDK (agents: fake-claude.mjs scripted by
 * pipeline-agent.mjs): a team's `ve/prompts/<phase>.md` committed on base replaces that phase's body;
 * a broken one is named at start and in status, its phase becomes a clear item, and only a fix
 * committed on base (not a working-copy edit) lets it run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PhaseRun } from '../../src/ports/store.js';
import { startedPrompts as prompts } from '../support/fake-claude-record.js';
import { attentionFor, checkEnd, pipelineProjects } from '../support/pipeline-checks.js';

const project = pipelineProjects('ve-prompts-');

const BROKEN_PLAN = '# PLAN phase — chunk `{{chunk}}`\n\nPlan {{chunk}} for ticket {{ticket}}.\n';
const FIXED_PLAN =
  '# PLAN phase — chunk `{{chunk}}`\n\nOur planning rules: write {{chunk_dir}}/PLAN.md with an Approach, then commit.\n';
const REVIEW =
  '# REVIEW phase — chunk `{{chunk}}`\n\nOur review checklist for {{chunk}} against {{base_branch}}.\n';

describe('prompt overrides end to end', { timeout: 300_000 }, () => {
  it('refuses a broken override at start, in status and at its phase; runs a fix committed on base', async () => {
    const dir = mkdtempSync(join(tmpdir(), 've-prompts-record-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const record = join(dir, 'sessions.jsonl');
    const p = project([{ name: 'po', depends_on: [] }], { FAKE_CLAUDE_RECORD: record });
    p.repo.writeFile('ve/prompts/plan.md', BROKEN_PLAN);
    p.repo.writeFile('ve/prompts/review.md', REVIEW);
    p.repo.commitAll('our prompts');

    const started = await p.ve('orch', 'start');
    assert.equal(started.code, 0, started.stderr);
    assert.match(
      started.stderr,
      /^warning: prompt override refused: ve\/prompts\/plan\.md uses unknown placeholder \{\{ticket\}\}; the known placeholders are \{\{chunk\}\}, \{\{chunk_dir\}\}, \{\{worktree\}\}, \{\{base_branch\}\}, \{\{phase\}\}$/m,
    );
    const status = await p.mustVe('orch', 'status');
    assert.match(status, /^Prompts: shipped, with the project's ve\/prompts\/review\.md$/m);
    assert.match(
      status,
      /^ {2}REFUSED: ve\/prompts\/plan\.md uses unknown placeholder \{\{ticket\}\}.*PLAN does not run until it is fixed$/m,
    );

    await p.mustVe('orch', 'inject', 'po');
    const item = await attentionFor(p, 'po');
    assert.equal(item.kind, 'ERROR');
    assert.equal(item.phase, 'PLAN');
    assert.match(
      item.reason,
      /^prompt: The project's prompt override ve\/prompts\/plan\.md on main \([0-9a-f]{7}\) uses unknown placeholder \{\{ticket\}\}.* Fix it on main, then retry/,
    );
    assert.deepEqual(prompts(record), [], 'no agent ran with a broken prompt');
    const runs = await p.api.get<{ phase_runs: PhaseRun[] }>('/api/work-units/po/history');
    assert.deepEqual(
      runs.phase_runs.map((r) => r.outcome),
      ['failed:prompt'],
    );

    // a fix in the operator's working copy is not base as committed: still refused
    p.repo.writeFile('ve/prompts/plan.md', FIXED_PLAN);
    await p.mustVe('orch', 'retry', 'po');
    await p.api.waitFor<{ phase_runs: PhaseRun[] }>(
      '/api/work-units/po/history',
      (h) => h.phase_runs.length === 2,
    );
    assert.equal((await attentionFor(p, 'po')).kind, 'ERROR');
    assert.deepEqual(prompts(record), []);

    p.repo.commitAll('fix our plan prompt');
    assert.match(
      await p.mustVe('orch', 'status'),
      /with the project's ve\/prompts\/plan\.md, ve\/prompts\/review\.md$/m,
    );
    await p.mustVe('orch', 'retry', 'po');
    await checkEnd(p, ['po']);
    const seen = prompts(record);
    const plan = seen.find((t) => t.includes('# PLAN phase'));
    assert.match(plan ?? '', /Our planning rules: write docs\/chunks\/po\/PLAN\.md with an Approach/);
    const review = seen.find((t) => t.includes('# REVIEW phase'));
    assert.match(review ?? '', /Our review checklist for po against main\./);
    // ve's own sections stay around a team's body
    assert.match(review ?? '', /## Where you work/);
    const implement = seen.find((t) => t.includes('# IMPLEMENT phase'));
    assert.match(
      implement ?? '',
      /Implement chunk `po` as planned\./,
      'phases without an override use the shipped body',
    );
  });
});
