/**
 * Issue 7 §2, agent and document faults: the agent process crashing, the model API answering
 * 500/529/overloaded and malformed streams (with fake agents, and with the real Claude Code binary
 * against a scripted Messages API), a GOAL.md corrupted mid-run, and a corrupted GOAL.md at inject.
 * Each must end in a clear attention item or an automatic recovery, never in lost work.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { HistoryDto, UnitListDto } from '../../src/api/dto.js';
import { createDemoRepo } from '../../src/demo/demo-repo.js';
import { requestIdentity, ScriptedBrain } from '../../src/demo/scripted-brain.js';
import {
  envForScriptedModel,
  isMainLoop,
  type ModelReply,
  startScriptedModelServer,
} from '../../src/demo/scripted-model-server.js';
import { runVe } from '../support/cli.js';
import {
  collectEvidence,
  invalidAuditPaths,
  lostAttention,
  notDone,
  openPhaseRuns,
  orphans,
} from '../support/invariants.js';
import { attentionFor, checkEnd, pipelineProjects, planned } from '../support/pipeline-checks.js';
import { strayAgents } from '../support/pipeline-project.js';
import { socketApi } from '../support/socket-api.js';
import { killLeftoverDaemon } from '../support/temp-repo.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const project = pipelineProjects('ve-faults-');

const API_500 =
  'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}';
const API_529 = 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';

describe('agent and document faults', { timeout: 600_000 }, () => {
  it('the agent process crashing: an ERROR item with the exit, no stray process, and a retry finishes it', async () => {
    const p = project(planned('fcrash'));
    p.setControl({
      'fcrash:IMPLEMENT': {
        times: 1,
        steps: [
          { tool: 'Write', input: { file_path: 'src/fcrash.txt', content: 'half\n' } },
          { crash: 'Segmentation fault (core dumped)', code: 139 },
        ],
      },
    });
    await p.start();
    await p.mustVe('orch', 'inject', 'fcrash');
    const item = await attentionFor(p, 'fcrash');
    assert.equal(item.kind, 'ERROR');
    assert.equal(item.phase, 'IMPLEMENT');
    assert.match(item.reason, /^process_exit: .*139/);
    assert.deepEqual(await strayAgents(p.root), []);
    await p.mustVe('orch', 'retry', 'fcrash');
    await checkEnd(p, ['fcrash']);
  });

  it('500, 529 and overloaded answers: retried with backoff on the same session, no attention item', async () => {
    const p = project(planned('fapi'));
    p.setControl({
      'fapi:IMPLEMENT': {
        runs: [
          [{ error: API_500 }],
          [{ error: API_529 }],
          [{ error: 'Overloaded', assistantError: 'overloaded' }],
        ],
      },
    });
    await p.start();
    await p.mustVe('orch', 'config', '--api-retry-initial-ms', '300');
    await p.mustVe('orch', 'inject', 'fapi');
    await checkEnd(p, ['fapi']);
    const h = await p.api.get<HistoryDto>('/api/work-units/fapi/history');
    const runs = h.phase_runs.filter((r) => r.phase === 'IMPLEMENT');
    assert.deepEqual(
      runs.map((r) => r.outcome),
      ['failed:api_5xx', 'failed:overloaded', 'failed:overloaded', 'completed'],
    );
    assert.equal(new Set(runs.map((r) => r.session_id)).size, 1, 'every retry resumed the same session');
    assert.deepEqual(h.attention, [], 'nothing was asked of the operator');
    // exponential backoff: each wait (retry-at minus the requeue's time) doubles
    const waits = h.history
      .filter((r) => r.event === 'requeue' && r.reason?.startsWith('retry at '))
      .map((r) => Date.parse((r.reason as string).slice('retry at '.length)) - Date.parse(r.at));
    assert.equal(waits.length, 3);
    for (const [i, expected] of [300, 600, 1200].entries()) {
      assert.ok(Math.abs((waits[i] as number) - expected) < 100, `wait ${i + 1} was ${waits[i]} ms`);
    }
  });

  it('a GOAL.md corrupted mid-run: COMPLETE is shown the YAML error, then an INCOMPLETE item quoting it, nothing merged, the branch intact; repaired, it lands', async () => {
    const p = project(planned('fgoal'));
    const junk = '---\nstatus: [ACTIVE\n  depends_on: {{\n---\n\u0000\u0001 garbage\n';
    p.setControl({
      // the agent (or an editor) wrecks the frontmatter and commits it with its work
      'fgoal:IMPLEMENT': {
        times: 1,
        steps: [
          { tool: 'Write', input: { file_path: 'docs/chunks/fgoal/GOAL.md', content: junk } },
          { normal: true },
        ],
      },
    });
    await p.start();
    await p.mustVe('orch', 'inject', 'fgoal');
    const item = await attentionFor(p, 'fgoal');
    // this agent never fixes it: after the reminders, the operator gets the error with file and line
    assert.equal(item.kind, 'INCOMPLETE', item.reason);
    assert.match(item.reason, /docs\/chunks\/fgoal\/GOAL\.md: could not parse frontmatter: .* at line 2/);
    assert.ok(
      !p.repo.git('ls-tree', '-r', '--name-only', 'main').includes('src/fgoal.txt'),
      'nothing merged',
    );
    assert.equal(
      p.repo.git('show', 'orch/fgoal:src/fgoal.txt'),
      'fgoal implemented\n',
      'the work is on its branch',
    );
    // the operator repairs the document in the worktree and retries
    const wt = join(p.root, '.ve', 'chunks', 'fgoal', 'worktree');
    const git = (...args: string[]) => runGit(wt, args);
    git('checkout', 'main', '--', 'docs/chunks/fgoal/GOAL.md');
    git('commit', '-qm', 'repair GOAL.md');
    await p.mustVe('orch', 'retry', 'fgoal');
    await checkEnd(p, ['fgoal']);
  });

  it('a corrupted GOAL.md at inject: a clear 400 naming the file, and nothing is created', async () => {
    const p = project(planned('fbad', 'fgood'));
    p.repo.writeFile('docs/chunks/fbad/GOAL.md', '---\nstatus: [IMPLEMENTING\n---\n# Goal\n');
    p.repo.commitAll('a broken chunk');
    await p.start();
    const cli = await p.ve('orch', 'inject', 'fgood', 'fbad');
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /^ve: .*fbad.*GOAL\.md/);
    const api = await p.api.call<{ error: { code: string; message: string } }>(
      'POST',
      '/api/work-units/inject',
      { chunks: ['fbad'] },
    );
    assert.equal(api.status, 400);
    assert.equal(api.body.error.code, 'malformed_chunk');
    assert.equal((await p.api.get<UnitListDto>('/api/work-units')).count, 0, 'the batch was rejected whole');
    assert.equal(p.repo.git('branch', '--list', 'orch/*'), '');
  });

  it('the real Claude Code binary against 500, 529 and malformed streams: it recovers by itself', async () => {
    const root = await createDemoRepo();
    const home = mkdtempSync(join(tmpdir(), 've-home-'));
    const brain = new ScriptedBrain({});
    const faults: ModelReply[] = [
      { httpError: 500, message: 'Internal server error' },
      { httpError: 529, errorType: 'overloaded_error', message: 'Overloaded' },
      { malformed: true }, // the stream breaks, and the CLI's non-streaming retry breaks too
      { malformed: true },
      { malformed: true }, // the stream breaks; the CLI's own non-streaming retry succeeds
    ];
    const server = await startScriptedModelServer((req) => {
      const id = requestIdentity(req);
      if (id?.phase === 'IMPLEMENT' && isMainLoop(req) && faults.length > 0)
        return faults.shift() as ModelReply;
      return brain.reply(req);
    });
    const env = { ...envForScriptedModel(server.url, home), CLAUDE_CODE_MAX_RETRIES: '0' };
    const ve = async (...args: string[]) => {
      const r = await runVe([...args, '--project-dir', root], { cwd: root, env, timeoutMs: 60_000 });
      assert.equal(r.code, 0, `ve ${args.join(' ')}: ${r.stderr}`);
    };
    cleanups.push(async () => {
      await runVe(['orch', 'stop', '--project-dir', root], { cwd: root, env });
      killLeftoverDaemon(root);
      await server.close();
      rmSync(root, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    });
    await ve('orch', 'start');
    await ve('orch', 'config', '--api-retry-initial-ms', '200');
    await ve('orch', 'inject', 'greeting');
    const api = socketApi(root);
    await api.waitFor<UnitListDto>(
      '/api/work-units',
      (u) => u.work_units.every((w) => w.status === 'DONE' || w.status === 'NEEDS_ATTENTION'),
      240_000,
    );
    const h = await api.get<HistoryDto>('/api/work-units/greeting/history');
    assert.deepEqual(h.attention, [], 'no attention item');
    const runs = h.phase_runs.filter((r) => r.phase === 'IMPLEMENT');
    assert.deepEqual(
      runs.map((r) => r.outcome),
      ['failed:api_5xx', 'failed:overloaded', 'failed:api_5xx', 'completed'],
    );
    assert.equal(new Set(runs.map((r) => r.session_id)).size, 1, 'the same session throughout');
    assert.equal(faults.length, 0, 'every fault was served');
    const ev = await collectEvidence({ root, base: 'main', chunks: ['greeting'], api });
    for (const check of [notDone, orphans, invalidAuditPaths, lostAttention, openPhaseRuns])
      assert.deepEqual(check(ev), [], check.name);
    assert.equal(ev.baseSubjects.filter((s) => s === 'complete: greeting').length, 1, 'landed once');
    assert.ok(ev.baseFiles.has('src/greeting.js'));
  });
});

function runGit(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
