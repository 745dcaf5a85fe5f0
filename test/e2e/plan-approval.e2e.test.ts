/**
 * Issue 11 item 6 through the real CLI, daemon, git and SDK (agents: fake-claude.mjs scripted by
 * pipeline-agent.mjs): with plan_approval on, a finished PLAN waits as a PLAN item; `ve orch plan`
 * shows it; feedback resumes the PLAN session and the revised plan comes back; approve lets it land.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AttentionListDto, HistoryDto, WorkUnitDto } from '../../src/api/dto.js';
import { startedSessions } from '../support/fake-claude-record.js';
import { checkEnd, pipelineProjects } from '../support/pipeline-checks.js';
import type { PipelineProject } from '../support/pipeline-project.js';

const project = pipelineProjects('ve-plan-approval-');

async function planItem(p: PipelineProject, chunk: string, after = 0): Promise<WorkUnitDto> {
  await p.api.waitFor<AttentionListDto>('/api/attention', (a) =>
    a.items.some((i) => i.chunk === chunk && i.kind === 'PLAN' && i.version > after),
  );
  return p.api.get<WorkUnitDto>(`/api/work-units/${chunk}`);
}

const revisedPlan = (chunk: string) => ({
  tool: 'Write',
  input: {
    file_path: `docs/chunks/${chunk}/PLAN.md`,
    content: `# Plan\n\n## Approach\n\nWrite src/${chunk}.txt, then **a second line** as asked.\n\n## Steps\n\n1. Write it.\n   Location: src/${chunk}.txt\n`,
  },
});

describe('plan approval end to end', { timeout: 300_000 }, () => {
  it('waits for approval, shows the plan, takes feedback into the same session, and lands once approved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 've-plan-record-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const record = join(dir, 'sessions.jsonl');
    const p = project([{ name: 'pa', depends_on: [] }], { FAKE_CLAUDE_RECORD: record });
    // the first PLAN session plans as usual; resumed with feedback, it revises the plan
    p.setControl({
      'pa:PLAN': {
        runs: [
          [{ normal: true }],
          [
            revisedPlan('pa'),
            {
              tool: 'Bash',
              input: { command: "git add -A && git commit -qm 'plan: pa, revised'" },
            },
            { result: 'Revised the plan: a second line.' },
          ],
        ],
      },
    });
    await p.start();
    await p.mustVe('orch', 'config', '--plan-approval', 'true');
    await p.mustVe('orch', 'inject', 'pa');

    const first = await planItem(p, 'pa');
    assert.equal(first.phase, 'PLAN');
    const shown = await p.mustVe('orch', 'plan', 'pa');
    assert.match(shown, /^docs\/chunks\/pa\/PLAN\.md as committed on orch\/pa at [0-9a-f]{7}$/m);
    assert.match(shown, /^Approach\n─+\n\nWrite src\/pa\.txt\.$/m);
    assert.match(shown, /pa waits for your approval of this plan/);
    const attention = await p.mustVe('orch', 'attention');
    assert.match(attention, /pa {2}PLAN {2}PLAN/);

    await p.mustVe('orch', 'answer', 'pa', 'Add a second line to the file.');
    const second = await planItem(p, 'pa', first.version);
    const plans = startedSessions(record).filter((s) => s.prompt.includes('# PLAN phase'));
    assert.equal(plans.length, 2);
    const resumed = plans[1] as { argv: string[]; prompt: string };
    assert.ok(
      resumed.argv.some((a) => a.startsWith('--resume')),
      'the feedback resumes the PLAN session',
    );
    assert.match(resumed.prompt, /asks for changes before approving it:\n\nAdd a second line to the file\./);
    assert.match(await p.mustVe('orch', 'plan', 'pa'), /then a second line as asked/);
    assert.equal(startedSessions(record).filter((s) => s.prompt.includes('# IMPLEMENT phase')).length, 0);

    const approved = await p.mustVe('orch', 'approve', 'pa');
    assert.match(approved, /^Approved the plan of pa; it is READY and will start IMPLEMENT$/m);
    await checkEnd(p, ['pa']);
    assert.match(p.repo.git('show', 'main:docs/chunks/pa/PLAN.md'), /a second line/);
    const history = await p.api.get<HistoryDto>('/api/work-units/pa/history');
    const approval = history.history.find((h) => h.event === 'approve');
    assert.match(approval?.reason ?? '', /^plan approved by .+ \(cli\)$/);
    assert.ok(second.version > first.version);
    const again = await p.ve('orch', 'approve', 'pa');
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /^ve: work unit 'pa' has no plan or test changes waiting for approval \(it is DONE/,
    );
  });
});
