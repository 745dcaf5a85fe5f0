/**
 * Issue 3's proof: `kill -9` of the daemon during each phase and during a merge, then a restart
 * through the real CLI: every unit finishes, no merge is lost or doubled. The real daemon, git and
 * SDK run; the agents are fake-claude.mjs scripted by pipeline-agent.mjs, held at the chosen moment
 * with a `hang` step; merges are held by a `git` wrapper on the daemon's PATH (test/support/git-wrapper.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { HistoryDto, UnitListDto } from '../../src/api/dto.js';
import { type GitWrapper, writeGitWrapper } from '../support/git-wrapper.js';
import { checkEnd, pipelineProjects } from '../support/pipeline-checks.js';
import {
  type ChunkPlan,
  type PipelineProject,
  strayAgents,
  waitForFile,
} from '../support/pipeline-project.js';

const project = pipelineProjects('ve-kill-');

/** A step that marks "the agent got here" (the sandbox keeps agents inside their worktree). */
const mark = (name: string) => ({ tool: 'Write', input: { file_path: `${name}.marker`, content: '' } });
const marker = (p: PipelineProject, chunk: string) =>
  join(p.root, '.ve', 'chunks', chunk, 'worktree', `${chunk}.marker`);

/**
 * A project whose daemon runs git through a wrapper that, after the first command matching `match`
 * has run, holds it for 4 s (the daemon's own git runs no hooks, so a hook cannot hold it).
 */
function heldProject(chunks: ChunkPlan[], match: string): { p: PipelineProject; git: GitWrapper } {
  const dir = mkdtempSync(join(tmpdir(), 've-kill-git-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const git = writeGitWrapper(dir, [{ tag: 'held', match, action: 'hold-after', seconds: 4 }]);
  return { p: project(chunks, { PATH: git.path }), git };
}

/** Kills the daemon while its git command is held, lets that git finish, and restarts. */
async function killWhileHeld(p: PipelineProject, git: GitWrapper): Promise<void> {
  await waitForFile(git.marker('held', 'entered'), 120_000);
  await p.kill9();
  await waitForFile(git.marker('held', 'left'));
  await p.start();
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

  it('during a merge into the checked-out base (after git merge, before cleanup): it lands once, cleanup finishes', async () => {
    const { p, git } = heldProject([{ name: 'kmerge', depends_on: [] }], `*" merge --no-edit "*`);
    await p.start();
    await p.mustVe('orch', 'inject', 'kmerge');
    // the operator commits on base meanwhile, so the merge is a real merge commit
    await p.api.waitFor<UnitListDto>('/api/work-units', (u) => u.work_units[0]?.phase === 'IMPLEMENT');
    p.repo.writeFile('operator.txt', 'operator work\n');
    p.repo.commitAll('operator commit');
    await killWhileHeld(p, git);
    await checkEnd(p, ['kmerge']);
    assert.deepEqual(await recoveryReasons(p, 'kmerge'), ['COMPLETE: daemon restarted during the merge']);
    const merges = p.repo.git('log', '--format=%s', 'main').split('\n');
    assert.equal(merges.filter((s) => s === "Merge branch 'orch/kmerge' into main").length, 1);
    assert.equal(p.repo.git('show', 'main:operator.txt'), 'operator work\n', "the operator's commit is kept");
  });

  it('after the merge landed and the branch was deleted: no new worktree, no second setup run', async () => {
    const { p, git } = heldProject(
      [{ name: 'kdel', depends_on: [] }],
      `*" update-ref "*" -d refs/heads/orch/kdel "*`,
    );
    const setupLog = join(p.fixtures, 'setup-runs.log');
    await p.start();
    // the setup's own log lives outside the worktree, where a sandboxed setup may not write
    await p.mustVe('orch', 'config', '--setup-command', `echo run >> ${setupLog}`, '--agent-sandbox', 'off');
    await p.mustVe('orch', 'inject', 'kdel');
    await waitForFile(git.marker('held', 'entered'), 120_000);
    assert.equal(
      p.repo.git('branch', '--list', 'orch/kdel'),
      '',
      'the branch is deleted when the kill lands',
    );
    await killWhileHeld(p, git);
    await checkEnd(p, ['kdel']);
    assert.deepEqual(await recoveryReasons(p, 'kdel'), ['COMPLETE: daemon restarted during the merge']);
    assert.equal(
      readFileSync(setupLog, 'utf8'),
      'run\n',
      'the setup command ran once: a unit whose merge landed gets no new worktree',
    );
  });

  it('during a merge by ref update while the operator is on another branch', async () => {
    const { p, git } = heldProject(
      [{ name: 'kref', depends_on: [] }],
      `*" update-ref "*" refs/heads/main "*`,
    );
    await p.start(); // base = main
    p.repo.git('checkout', '-q', '-b', 'operator');
    p.repo.writeFile('README.md', '# edited by the operator, not committed\n');
    await p.mustVe('orch', 'inject', 'kref');
    await killWhileHeld(p, git);
    await checkEnd(p, ['kref']);
    assert.deepEqual(await recoveryReasons(p, 'kref'), ['COMPLETE: daemon restarted during the merge']);
    assert.equal(p.repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'operator');
    assert.equal(p.repo.readFile('README.md'), '# edited by the operator, not committed\n');
    assert.ok(!existsSync(join(p.root, 'src', 'kref.txt')), "the operator's checkout was not touched");
  });
});
