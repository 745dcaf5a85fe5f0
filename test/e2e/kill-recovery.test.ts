/**
 * Issue 3's proof: `kill -9` of the daemon during each phase and during a merge, then a restart
 * through the real CLI: every unit finishes, no merge is lost or doubled. The real daemon, git and
 * SDK run; the agents are fake-claude.mjs scripted by pipeline-agent.mjs, held at the chosen moment
 * with a `hang` step; merges are held by git hooks in the host repository that sleep.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { HistoryDto, UnitListDto } from '../../src/api/dto.js';
import { assertInvariants, collectEvidence } from '../support/invariants.js';
import {
  type ChunkPlan,
  makePipelineProject,
  type PipelineProject,
  strayAgents,
  waitForFile,
} from '../support/pipeline-project.js';

const projects: PipelineProject[] = [];
after(async () => {
  for (const p of projects) await p.cleanup();
});

function project(chunks: ChunkPlan[]): PipelineProject {
  const p = makePipelineProject({ chunks, prefix: 've-kill-' });
  projects.push(p);
  return p;
}

/** A step that marks "the agent got here" (the sandbox keeps agents inside their worktree). */
const mark = (name: string) => ({ tool: 'Write', input: { file_path: `${name}.marker`, content: '' } });
const marker = (p: PipelineProject, chunk: string) =>
  join(p.root, '.ve', 'chunks', chunk, 'worktree', `${chunk}.marker`);

async function allDone(p: PipelineProject, n: number): Promise<void> {
  await p.api.waitFor<UnitListDto>(
    '/api/work-units',
    (u) => u.count === n && u.work_units.every((w) => w.status === 'DONE'),
    180_000,
  );
}

async function checkEnd(p: PipelineProject, chunks: string[]): Promise<void> {
  await allDone(p, chunks.length);
  assertInvariants(await collectEvidence({ root: p.root, base: 'main', chunks, api: p.api }));
}

/** Installs `.git/hooks/<name>` in the host repository. */
function hook(p: PipelineProject, name: string, body: string): void {
  const path = join(p.root, '.git', 'hooks', name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/** Hook body: the first time `condition` holds, mark entry, sleep, mark exit (in the fixtures dir). */
function holdOnce(p: PipelineProject, tag: string, condition: string, seconds = 4): string {
  const m = join(p.fixtures, tag);
  return `${condition} || exit 0\n[ -e ${m}.entered ] && exit 0\ntouch ${m}.entered\nsleep ${seconds}\ntouch ${m}.left\nexit 0`;
}

async function recoveryReasons(p: PipelineProject, chunk: string): Promise<string[]> {
  const h = await p.api.get<HistoryDto>(`/api/work-units/${chunk}/history`);
  return h.history.filter((r) => r.source === 'recovery').map((r) => `${r.phase}: ${r.reason}`);
}

describe('kill -9 of the daemon, then restart', { timeout: 600_000 }, () => {
  it('during PLAN, IMPLEMENT, REVIEW and COMPLETE: every unit finishes and lands once', async () => {
    const chunks = ['kplan', 'kimpl', 'krev', 'kcomp'];
    const p = project(chunks.map((name) => ({ name, depends_on: [] })));
    // each agent does part of its phase's work, marks the moment, then works "forever"
    p.setControl({
      'kplan:PLAN': {
        times: 1,
        steps: [
          {
            tool: 'Write',
            input: { file_path: 'docs/chunks/kplan/PLAN.md', content: '# Plan\n\n## Approach\n\nhalf\n' },
          },
          mark('kplan'),
          { hang: true },
        ],
      },
      'kimpl:IMPLEMENT': {
        times: 1,
        steps: [
          { tool: 'Write', input: { file_path: 'src/kimpl.txt', content: 'half done\n' } },
          mark('kimpl'),
          { hang: true },
        ],
      },
      // the decision reached the daemon, but the phase never ended: it must be reviewed again
      'krev:REVIEW': {
        times: 1,
        steps: [
          { review: { decision: 'APPROVE', summary: 'fine', issues: [] } },
          mark('krev'),
          { hang: true },
        ],
      },
      'kcomp:COMPLETE': {
        times: 1,
        steps: [
          {
            tool: 'Bash',
            input: { command: "sed -i 's/^status: [A-Z]*$/status: ACTIVE/' docs/chunks/kcomp/GOAL.md" },
          },
          mark('kcomp'),
          { hang: true },
        ],
      },
    });
    await p.start();
    await p.mustVe('orch', 'config', '--max-agents', '4');
    await p.mustVe('orch', 'inject', ...chunks);
    for (const c of chunks) await waitForFile(marker(p, c), 120_000);
    const running = await p.api.get<UnitListDto>('/api/work-units');
    assert.deepEqual(running.work_units.map((u) => `${u.chunk}:${u.status}:${u.phase}`).sort(), [
      'kcomp:RUNNING:COMPLETE',
      'kimpl:RUNNING:IMPLEMENT',
      'kplan:RUNNING:PLAN',
      'krev:RUNNING:REVIEW',
    ]);
    await p.kill9();
    assert.deepEqual(await strayAgents(p.root), [], 'the agents ended with the daemon (stdin EOF)');
    await p.start();
    await checkEnd(p, chunks);
    for (const [c, phase] of [
      ['kplan', 'PLAN'],
      ['kimpl', 'IMPLEMENT'],
      ['krev', 'REVIEW'],
      ['kcomp', 'COMPLETE'],
    ] as const) {
      assert.deepEqual(await recoveryReasons(p, c), [`${phase}: daemon restarted during the phase`]);
    }
    assert.equal(
      p.repo.git('show', 'main:src/kimpl.txt'),
      'kimpl implemented\n',
      'the re-run finished the work',
    );
  });

  it('during a merge into the checked-out base (held in post-merge): it lands once, and cleanup finishes', async () => {
    const p = project([{ name: 'kmerge', depends_on: [] }]);
    hook(p, 'post-merge', holdOnce(p, 'merge', 'true'));
    await p.start();
    await p.mustVe('orch', 'inject', 'kmerge');
    // the operator commits on base meanwhile, so the merge is a real merge commit
    await p.api.waitFor<UnitListDto>('/api/work-units', (u) => u.work_units[0]?.phase === 'IMPLEMENT');
    p.repo.writeFile('operator.txt', 'operator work\n');
    p.repo.commitAll('operator commit');
    await waitForFile(join(p.fixtures, 'merge.entered'), 120_000);
    await p.kill9();
    await waitForFile(join(p.fixtures, 'merge.left'));
    await p.start();
    await checkEnd(p, ['kmerge']);
    assert.deepEqual(await recoveryReasons(p, 'kmerge'), ['COMPLETE: daemon restarted during the merge']);
    const merges = p.repo.git('log', '--format=%s', 'main').split('\n');
    assert.equal(merges.filter((s) => s === "Merge branch 'orch/kmerge' into main").length, 1);
    assert.equal(p.repo.git('show', 'main:operator.txt'), 'operator work\n', "the operator's commit is kept");
  });

  it('after the merge landed and the branch was deleted: no new worktree, no second setup run', async () => {
    const p = project([{ name: 'kdel', depends_on: [] }]);
    const setupLog = join(p.fixtures, 'setup-runs.log');
    hook(
      p,
      'reference-transaction',
      holdOnce(
        p,
        'delete',
        `input=$(cat); [ "$1" = committed ] && echo "$input" | grep -q ' 0\\{40\\} refs/heads/orch/kdel$'`,
      ),
    );
    await p.start();
    await p.mustVe('orch', 'config', '--setup-command', `echo run >> ${setupLog}`);
    await p.mustVe('orch', 'inject', 'kdel');
    await waitForFile(join(p.fixtures, 'delete.entered'), 120_000);
    await p.kill9();
    await waitForFile(join(p.fixtures, 'delete.left'));
    assert.equal(p.repo.git('branch', '--list', 'orch/kdel'), '', 'the branch was deleted before the kill');
    await p.start();
    await checkEnd(p, ['kdel']);
    assert.deepEqual(await recoveryReasons(p, 'kdel'), ['COMPLETE: daemon restarted during the merge']);
    assert.equal(
      readFileSync(setupLog, 'utf8'),
      'run\n',
      'the setup command ran once: a unit whose merge landed gets no new worktree',
    );
  });

  it('during a merge by ref update while the operator is on another branch', async () => {
    const p = project([{ name: 'kref', depends_on: [] }]);
    hook(
      p,
      'reference-transaction',
      holdOnce(p, 'ref', `input=$(cat); [ "$1" = committed ] && echo "$input" | grep -q ' refs/heads/main$'`),
    );
    await p.start(); // base = main
    p.repo.git('checkout', '-q', '-b', 'operator');
    p.repo.writeFile('README.md', '# edited by the operator, not committed\n');
    await p.mustVe('orch', 'inject', 'kref');
    await waitForFile(join(p.fixtures, 'ref.entered'), 120_000);
    await p.kill9();
    await waitForFile(join(p.fixtures, 'ref.left'));
    await p.start();
    await checkEnd(p, ['kref']);
    assert.deepEqual(await recoveryReasons(p, 'kref'), ['COMPLETE: daemon restarted during the merge']);
    assert.equal(p.repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'operator');
    assert.equal(p.repo.readFile('README.md'), '# edited by the operator, not committed\n');
    assert.ok(!existsSync(join(p.root, 'src', 'kref.txt')), "the operator's checkout was not touched");
  });
});
