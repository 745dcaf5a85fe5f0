/**
 * Issue 10 on the real daemon, CLI, git and verify processes (agents: fake-claude.mjs scripted by
 * pipeline-agent.mjs): every landing verified through the train, a failure routed back to the agent
 * that caused it, a hanging verify stopped, and kill -9 during verification.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AttentionItemDto, TrainSnapshot, UnitListDto } from '../../src/api/dto.js';
import type { VerifyRun } from '../../src/ports/train.js';
import { allDone, attentionFor, checkEnd, pipelineProjects, planned } from '../support/pipeline-checks.js';
import type { PipelineProject } from '../support/pipeline-project.js';

const project = pipelineProjects('ve-train-');

/** The project's tests: fail when any source file says BROKEN; hang when src/hang.txt exists. */
const VERIFY_SH = `#!/bin/sh
echo "checking $(ls src 2>/dev/null | wc -l) files"
if [ -f src/hang.txt ]; then sleep 600; fi
if [ -f src/slow.txt ]; then sleep 5; fi
if grep -rl BROKEN src 2>/dev/null; then echo "FAIL: BROKEN found"; exit 1; fi
echo ok
`;

function withVerify(p: PipelineProject): void {
  p.repo.writeFile('verify.sh', VERIFY_SH);
  p.repo.commitAll('the project tests itself with verify.sh');
}

const write = (chunk: string, content: string) => ({
  tool: 'Write',
  input: { file_path: `src/${chunk}.txt`, content },
});
const commit = (m: string) => ({ tool: 'Bash', input: { command: `git add -A && git commit -qm '${m}'` } });

/** Runs the verify command on a commit of the project, as a second opinion from outside ve. */
function verifyAt(root: string, sha: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 've-train-check-'));
  try {
    execFileSync('git', ['--work-tree', dir, 'checkout', sha, '--', '.'], { cwd: root, stdio: 'ignore' });
    return spawnSync('sh', ['verify.sh'], { cwd: dir, stdio: 'ignore', timeout: 30_000 }).status === 0;
  } finally {
    execFileSync('git', ['reset', '-q'], { cwd: root });
    rmSync(dir, { recursive: true, force: true });
  }
}

const running = (cmd: string) => spawnSync('pgrep', ['-f', `^${cmd}$`]).status === 0;
const sleepers = () => running('sleep 600');

describe('landing train end to end', { timeout: 600_000 }, () => {
  it('lands ten units verified, routes the broken one back to its agent, and base never goes red', async () => {
    const chunks = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);
    const p = project(planned(...chunks));
    withVerify(p);
    // t5's first IMPLEMENT writes code that fails the tests; once sent back, it does the right thing
    p.setControl({
      't5:IMPLEMENT': {
        times: 1,
        steps: [write('t5', 'BROKEN\n'), commit('implement: t5'), { result: 'done' }],
      },
    });
    await p.start();
    await p.mustVe(
      'orch',
      'config',
      '--max-agents',
      '4',
      '--verify-command',
      'sh verify.sh',
      '--verify-parallelism',
      '4',
    );
    await p.mustVe('orch', 'inject', ...chunks);
    await checkEnd(p, chunks);

    const t5 = (await p.api.get<UnitListDto>('/api/work-units')).work_units.find((u) => u.chunk === 't5');
    assert.equal(t5?.verify_retries, 1, 't5 went back to its agent once');
    const runs = (await p.api.get<{ runs: VerifyRun[] }>('/api/verify-runs?chunk=t5')).runs;
    assert.ok(
      runs.some((r) => r.outcome === 'failed'),
      'its first tree failed',
    );
    // every first-parent commit ve made on main passes the project's tests, checked from outside ve
    const firstParents = p.repo.git('log', '--first-parent', '--format=%H %s', 'main').trim().split('\n');
    const merges = firstParents.filter((l) => l.includes("Merge branch 'orch/"));
    assert.equal(merges.length, 10);
    for (const line of merges) assert.ok(verifyAt(p.root, line.slice(0, 40)), `passes: ${line}`);
    assert.doesNotMatch(p.repo.git('log', '--first-parent', '-p', 'main'), /^\+BROKEN/m);
    const tail = await p.mustVe('orch', 'tail', 't5');
    assert.match(tail, /=== VERIFY ===/);
    assert.match(tail, /FAIL: BROKEN found/);
    assert.match(tail, /verify #\d+ failed exit 1/);
  });

  it('stops a hanging verification at the timeout and asks the operator, who lands it anyway', async () => {
    const p = project(planned('hangs'));
    withVerify(p);
    p.setControl({
      'hangs:IMPLEMENT': [
        write('hang', 'wait forever\n'),
        write('hangs', 'x\n'),
        commit('implement: hangs'),
        { result: 'done' },
      ],
    });
    await p.start();
    await p.mustVe(
      'orch',
      'config',
      '--verify-command',
      'sh verify.sh',
      '--verify-timeout-seconds',
      '2',
      '--verify-max-retries',
      '0',
    );
    await p.mustVe('orch', 'inject', 'hangs');
    const item: AttentionItemDto = await attentionFor(p, 'hangs');
    assert.equal(item.kind, 'VERIFY');
    assert.match(item.reason, /timed out after 2 s/);
    assert.ok(!sleepers(), 'the hanging verify was killed, children and all');
    assert.equal(p.repo.git('log', '--format=%s', 'main').includes('orch/hangs'), false, 'nothing landed');
    const refused = await p.ve('orch', 'land', 'hangs');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--unverified/);
    await p.mustVe('orch', 'land', 'hangs', '--unverified', '--by', 'lead');
    await allDone(p, 1);
    const history = await p.mustVe('orch', 'work-unit', 'history', 'hangs');
    assert.match(history, /land WITHOUT verification: operator override by lead \(cli\)/);
  });

  it('survives kill -9 during a verification: no orphan, verified again, landed once', async () => {
    const p = project(planned('slowpoke'));
    withVerify(p);
    p.setControl({
      'slowpoke:IMPLEMENT': [
        write('slow', 'take your time\n'),
        write('slowpoke', 'x\n'),
        commit('implement: slowpoke'),
        { result: 'done' },
      ],
    });
    await p.start();
    await p.mustVe('orch', 'config', '--verify-command', 'sh verify.sh');
    await p.mustVe('orch', 'inject', 'slowpoke');
    await p.api.waitFor<TrainSnapshot>('/api/train', (t) => t.entries.some((e) => e.state === 'verifying'));
    await p.kill9();
    // the verification's processes die with the daemon (its sandbox's PID namespace goes too)
    for (let i = 0; i < 40 && running('sleep 5'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!running('sleep 5'), 'no verify process outlived the daemon');
    await p.start();
    await allDone(p, 1);
    const runs = (await p.api.get<{ runs: VerifyRun[] }>('/api/verify-runs?chunk=slowpoke')).runs;
    assert.ok(
      runs.some((r) => r.outcome === 'interrupted'),
      'the run the kill cut short is on record',
    );
    assert.ok(
      runs.some((r) => r.outcome === 'passed'),
      'and it was verified again',
    );
    await checkEnd(p, ['slowpoke']);
    const merged = p.repo
      .git('log', '--format=%s', 'main')
      .split('\n')
      .filter((s) => s.includes('orch/slowpoke'));
    assert.equal(merged.length, 1);
  });
});
