/**
 * Issue 11 §7 end to end: the real daemon and CLI, fake Claude CLIs that spend (and stop at
 * `--max-budget-usd` as Claude Code does). A unit reaches its limit: a BUDGET item, no new phase,
 * spend against the limit in `status` and `ps`; `ve orch config` raises it and the unit finishes on
 * the session it was stopped in.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HistoryDto } from '../../src/api/dto.js';
import { type StartedSession, startedSessions } from '../support/fake-claude-record.js';
import { attentionFor, checkEnd, pipelineProjects, planned } from '../support/pipeline-checks.js';

const project = pipelineProjects('ve-budget-');

/** the fake CLIs' recorded starts of one phase */
const startsOf = (record: string, phase: string): StartedSession[] =>
  startedSessions(record).filter((s) => s.prompt.includes(`# ${phase} phase — chunk`));

const flag = (s: StartedSession | undefined, name: string) =>
  s?.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? null;

describe('budgets end to end (real daemon and CLI, fake Claude CLI)', { timeout: 300_000 }, () => {
  it('a unit at its limit: a BUDGET item, no new phase, and a raised limit resumes it to the end', async () => {
    const record = join(mkdtempSync(join(tmpdir(), 've-budget-rec-')), 'starts.jsonl');
    const p = project(planned('fspend'), { FAKE_CLAUDE_RECORD: record });
    p.setControl({
      'fspend:IMPLEMENT': [{ spend: 0.6 }, { normal: true }],
      // the first REVIEW turn costs more than the unit has left; the resumed session just reviews
      'fspend:REVIEW': { runs: [[{ spend: 0.6 }, { normal: true }], [{ normal: true }]] },
    });
    await p.start();
    await p.mustVe('orch', 'config', '--unit-budget-usd', '1');
    await p.mustVe('orch', 'inject', 'fspend');

    const item = await attentionFor(p, 'fspend');
    assert.equal(item.kind, 'BUDGET');
    assert.equal(item.phase, 'REVIEW');
    assert.equal(
      item.reason,
      'Unit budget reached: $1.20 of $1.00 (unit_budget_usd), over all its phases and retries. No new phase starts; raising the limit resumes it on the same session: ve orch config --unit-budget-usd 2.40',
    );
    const [implement] = startsOf(record, 'IMPLEMENT');
    const [review] = startsOf(record, 'REVIEW');
    assert.equal(flag(implement, 'max-budget-usd'), '1', 'IMPLEMENT may spend the whole unit budget');
    assert.equal(flag(review, 'max-budget-usd'), '0.4', 'REVIEW only what is left');

    assert.match(
      await p.mustVe('orch', 'ps'),
      /fspend\s+REVIEW\s+NEEDS_ATTENTION\s+-\s+\$1\.20 of \$1\.00\s+BUDGET: Unit budget reached/,
    );
    const status = await p.mustVe('orch', 'status');
    assert.match(status, /^Budget: per unit \$1\.00$/m);
    assert.match(status, /^Over budget: 1 unit wait for a raised limit \(ve orch attention\)$/m);
    assert.match(await p.mustVe('orch', 'attention'), /fspend {2}BUDGET {2}REVIEW/);
    const retry = await p.ve('orch', 'retry', 'fspend');
    assert.equal(retry.code, 1);
    assert.match(
      retry.stderr,
      /still over its budget: \$1\.20 of \$1\.00 \(unit_budget_usd\)\. Raise the limit/,
    );

    await p.mustVe('orch', 'config', '--unit-budget-usd', '5');
    await checkEnd(p, ['fspend']);

    const resumed = startsOf(record, 'REVIEW')[1];
    assert.equal(flag(resumed, 'max-budget-usd'), '3.8');
    assert.match(
      resumed?.prompt ?? '',
      /Note from the orchestrator\n\nThe spending limit that stopped you \(unit_budget_usd\) was raised to 5\./,
    );
    const history = await p.api.get<HistoryDto>('/api/work-units/fspend/history');
    assert.deepEqual(
      history.phase_runs.map((r) => [r.phase, r.outcome, r.cost_usd]),
      [
        ['IMPLEMENT', 'completed', 0.6],
        ['REVIEW', 'failed:budget', 0.6],
        ['REVIEW', 'completed', 0],
        ['COMPLETE', 'completed', 0],
      ],
      'no phase started while the unit was over its limit',
    );
    const stopped = history.phase_runs[1]?.session_id;
    assert.ok(stopped);
    assert.equal(flag(resumed, 'resume'), stopped, 'the raised limit resumed the stopped session');
  });
});
