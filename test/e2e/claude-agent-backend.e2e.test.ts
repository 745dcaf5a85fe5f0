/**
 * End to end: ClaudeAgentBackend, the real SDK and the real Claude Code binary, with only the model
 * scripted (a Messages API server on 127.0.0.1). Proves the tools, the sandbox, questions and the
 * review tool work against the real CLI, not just our fake of it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { osSandboxUnavailable } from '../../src/agents/claude/os-sandbox.js';
import {
  type ModelHandler,
  replySequence,
  type ScriptedModelServer,
  startScriptedModelServer,
  toolResultFor,
  userText,
} from '../../src/demo/scripted-model-server.js';
import type { PhaseRequest } from '../../src/ports/agent-backend.js';
import { expectKind } from '../contracts/agent-backend.contract.js';
import {
  aPhaseRequest,
  gitIn,
  makeUnitRepo,
  realClaudeBackend,
  type UnitRepo,
} from '../support/agent-fixtures.js';
import { answerWith, type RecordingObserver, recordingObserver } from '../support/recording-observer.js';

let repo: UnitRepo | null = null;
let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  repo?.cleanup();
  server = null;
  repo = null;
});

async function runReal(
  handler: ModelHandler,
  opts: {
    request?: Partial<PhaseRequest>;
    answer?: string;
    onStart?: (rec: RecordingObserver) => Promise<void>;
  } = {},
) {
  repo ??= makeUnitRepo();
  server = await startScriptedModelServer(handler);
  const backend = realClaudeBackend(repo, server.url);
  const rec = recordingObserver(opts.answer ? { answer: answerWith(opts.answer) } : {});
  const running = backend.runPhase(aPhaseRequest(repo, opts.request), rec.observer);
  await opts.onStart?.(rec);
  const outcome = await running;
  return { outcome, rec, repo, requests: server.messageRequests() };
}

describe('ClaudeAgentBackend with the real Claude Code binary', () => {
  it('writes a file in the worktree and commits it with git', async () => {
    repo = makeUnitRepo();
    const file = join(repo.worktree, 'hello.txt');
    const { outcome, rec } = await runReal(
      replySequence([
        { toolUses: [{ id: 'toolu_write', name: 'Write', input: { file_path: file, content: 'hi\n' } }] },
        {
          toolUses: [
            {
              id: 'toolu_commit',
              name: 'Bash',
              input: { command: 'git add hello.txt && git commit -q -m "add hello"', description: 'commit' },
            },
          ],
        },
        { text: 'All done.' },
      ]),
    );
    assert.equal(expectKind(outcome, 'completed').result_text, 'All done.');
    assert.equal(readFileSync(file, 'utf8'), 'hi\n');
    assert.equal(gitIn(repo.host, 'log', '-1', '--format=%s', 'orch/feat'), 'add hello');
    assert.equal(gitIn(repo.host, 'log', '-1', '--format=%s', 'main'), 'init');
    assert.deepEqual(
      rec.events.filter((e) => e.type === 'tool_result').map((e) => e.type === 'tool_result' && e.is_error),
      [false, false],
    );
    assert.equal(rec.events.filter((e) => e.type === 'denied').length, 0);
  });

  it('denies writes outside the worktree and reads of the host repo, and tells the model why', async () => {
    repo = makeUnitRepo();
    const outside = join(repo.root, 'outside.txt');
    const inHost = join(repo.host, 'leak.txt');
    const { outcome, rec, requests } = await runReal(
      replySequence([
        { toolUses: [{ id: 'toolu_out', name: 'Write', input: { file_path: outside, content: 'x' } }] },
        { toolUses: [{ id: 'toolu_host', name: 'Write', input: { file_path: inHost, content: 'x' } }] },
        // read-only: Claude Code approves it without asking; only the PreToolUse hook can stop it
        { toolUses: [{ id: 'toolu_cat', name: 'Bash', input: { command: `cat ${repo.host}/.gitignore` } }] },
        { text: 'Understood.' },
      ]),
    );
    expectKind(outcome, 'completed');
    assert.equal(existsSync(outside), false);
    assert.equal(existsSync(inHost), false);
    for (const [i, id] of [
      [1, 'toolu_out'],
      [2, 'toolu_host'],
      [3, 'toolu_cat'],
    ] as const) {
      const result = toolResultFor(requests[i]!, id);
      assert.ok(result?.is_error, `${id}: ${JSON.stringify(result)}`);
      assert.match(result.text, /Blocked: /);
    }
    assert.deepEqual(
      rec.events.filter((e) => e.type === 'denied').map((e) => e.type === 'denied' && e.tool),
      ['Write', 'Write', 'Bash'],
    );
  });

  it('denies escapes that never spell the host path: .., shared git config, symlinks (issue 7 §3)', async () => {
    repo = makeUnitRepo();
    symlinkSync(repo.host, join(repo.worktree, 'hostlink'));
    const bash = (id: string, command: string) => ({
      toolUses: [{ id, name: 'Bash', input: { command, description: id } }],
    });
    const { outcome, rec, requests } = await runReal(
      replySequence([
        bash('toolu_dots', 'cp .gitignore ../../../../leak.txt'),
        bash('toolu_config', 'git config core.hooksPath hooks'),
        bash('toolu_link', 'echo escaped > hostlink/leak2.txt'),
        {
          toolUses: [
            { id: 'toolu_write', name: 'Write', input: { file_path: 'hostlink/leak3.txt', content: 'x' } },
          ],
        },
        { text: 'Understood.' },
      ]),
    );
    expectKind(outcome, 'completed');
    for (const [i, id] of ['toolu_dots', 'toolu_config', 'toolu_link', 'toolu_write'].entries()) {
      const result = toolResultFor(requests[i + 1]!, id);
      assert.ok(result?.is_error, `${id}: ${JSON.stringify(result)}`);
      assert.match(result.text, /Blocked: /);
    }
    assert.equal(rec.events.filter((e) => e.type === 'denied').length, 4);
    for (const f of ['leak.txt', 'leak2.txt', 'leak3.txt'])
      assert.equal(existsSync(join(repo.host, f)), false, f);
    assert.doesNotMatch(gitIn(repo.host, 'config', '--list', '--local'), /hookspath/i);
  });

  it("confines what an agent's own scripts write with the OS sandbox, and still commits (issue 7 §3)", async () => {
    repo = makeUnitRepo();
    const host = repo.host;
    const bash = (id: string, command: string) => ({
      toolUses: [{ id, name: 'Bash', input: { command, description: id } }],
    });
    const write = (file: string, content: string) => ({
      toolUses: [{ name: 'Write', input: { file_path: join(repo!.worktree, file), content } }],
    });
    // files in the worktree that write to the host when run: the text-level policy sees only `sh x.sh`
    const { outcome, requests } = await runReal(
      replySequence([
        write('x.sh', 'cd ../../../.. && echo s > SCRIPT.txt\n'),
        bash('toolu_script', 'sh x.sh'),
        write('w.cjs', "require('fs').writeFileSync(process.cwd() + '/../../../../NODE.txt', 'n');\n"),
        bash('toolu_node', 'node w.cjs'),
        bash(
          'toolu_commit',
          'rm x.sh w.cjs && echo ok > inside.txt && git add -A && git commit -q -m inside',
        ),
        { text: 'Done.' },
      ]),
      { request: { osSandbox: 'on' } },
    );
    const missing = await osSandboxUnavailable();
    if (missing) {
      // required but not runnable here: Claude Code refuses to start (saying why), or, where it thinks
      // it can, the sandboxed commands fail; either way nothing runs unconfined
      if (outcome.kind === 'failed') assert.match(outcome.failure.message, /sandbox/i);
      for (const f of ['SCRIPT.txt', 'NODE.txt']) assert.equal(existsSync(join(host, f)), false, f);
      return;
    }
    expectKind(outcome, 'completed');
    assert.match(toolResultFor(requests[2]!, 'toolu_script')?.text ?? '', /Read-only file system/);
    assert.match(toolResultFor(requests[4]!, 'toolu_node')?.text ?? '', /EROFS/);
    for (const f of ['SCRIPT.txt', 'NODE.txt']) assert.equal(existsSync(join(host, f)), false, f);
    // git add -A in the sandbox skips the sandbox's masks, and the commit lands on the unit branch
    assert.equal(toolResultFor(requests[5]!, 'toolu_commit')?.is_error, false);
    assert.equal(gitIn(host, 'log', '-1', '--format=%s', `orch/${repo.chunk}`).trim(), 'inside');
    assert.equal(gitIn(host, 'show', '--name-only', '--format=', `orch/${repo.chunk}`).trim(), 'inside.txt');
  });

  it('hands AskUserQuestion to the operator and returns the answer to the model', async () => {
    const question = {
      question: 'Which option should I implement?',
      header: 'Option',
      multiSelect: false,
      options: [
        { label: 'Option A', description: 'the small one' },
        { label: 'Option B', description: 'the thorough one' },
      ],
    };
    const { outcome, rec, requests } = await runReal(
      replySequence([
        { toolUses: [{ id: 'toolu_ask', name: 'AskUserQuestion', input: { questions: [question] } }] },
        (req) => ({ text: `Going with ${toolResultFor(req, 'toolu_ask')?.text ?? 'nothing'}` }),
      ]),
      { answer: 'Option B' },
    );
    assert.ok(requests[0]?.tools?.some((t) => t.name === 'AskUserQuestion'));
    assert.deepEqual(rec.questions, [[question]]);
    const answer = toolResultFor(requests[1]!, 'toolu_ask');
    assert.equal(answer?.is_error, false);
    assert.match(answer?.text ?? '', /Option B/);
    assert.match(expectKind(outcome, 'completed').result_text ?? '', /Option B/);
  });

  it('captures the ReviewDecision tool call of a REVIEW phase', async () => {
    const decision = {
      decision: 'FEEDBACK',
      summary: 'The cache is never invalidated.',
      issues: [
        { location: 'src/cache.ts#put', concern: 'stale entries', suggestion: 'add a TTL', blocking: true },
      ],
    };
    const { outcome, requests } = await runReal(
      replySequence([
        { toolUses: [{ id: 'toolu_review', name: 'mcp__orchestrator__ReviewDecision', input: decision }] },
        { text: 'Review recorded.' },
      ]),
      { request: { phase: 'REVIEW' } },
    );
    assert.ok(requests[0]?.tools?.some((t) => t.name === 'mcp__orchestrator__ReviewDecision'));
    assert.match(toolResultFor(requests[1]!, 'toolu_review')?.text ?? '', /FEEDBACK' recorded/);
    assert.deepEqual(expectKind(outcome, 'completed').review, decision);
  });

  it('refuses an APPROVE that carries a blocking issue in the session; the corrected decision stands', async () => {
    const contradicts = {
      decision: 'APPROVE',
      summary: 'Fine apart from the cache.',
      issues: [{ concern: 'stale entries', blocking: true }],
    };
    const notes = {
      decision: 'FEEDBACK',
      summary: 'Fine; one note.',
      issues: [{ location: 'src/cache.ts#put', concern: 'name the TTL constant', blocking: false }],
    };
    const { outcome, requests } = await runReal(
      replySequence([
        { toolUses: [{ id: 'toolu_a', name: 'mcp__orchestrator__ReviewDecision', input: contradicts }] },
        { toolUses: [{ id: 'toolu_b', name: 'mcp__orchestrator__ReviewDecision', input: notes }] },
        { text: 'Review recorded.' },
      ]),
      { request: { phase: 'REVIEW' } },
    );
    const refused = toolResultFor(requests[1]!, 'toolu_a');
    assert.ok(refused?.is_error, JSON.stringify(refused));
    assert.match(refused.text, /Not recorded: APPROVE with 1 blocking issue/);
    assert.match(toolResultFor(requests[2]!, 'toolu_b')?.text ?? '', /counts as an approval/);
    assert.deepEqual(expectKind(outcome, 'completed').review, notes);
  });

  it('delivers operator guidance into the running session', async () => {
    repo = makeUnitRepo();
    let guided!: () => void;
    const guidanceSent = new Promise<void>((ok) => (guided = ok));
    const GUIDANCE = 'Please also add a changelog entry.';
    const handler = replySequence([
      async () => {
        await guidanceSent; // the model is "thinking" while the operator types
        return {
          toolUses: [{ id: 'toolu_ls', name: 'Bash', input: { command: 'ls', description: 'list' } }],
        };
      },
      // Claude Code folds a message sent mid-turn into the running turn, next to the tool result
      (req) => ({ text: userText(req).includes(GUIDANCE) ? 'Saw the guidance.' : 'No guidance yet.' }),
    ]);
    const running = runReal(handler, {
      onStart: async (rec) => {
        await rec.next((e) => e.type === 'session');
        assert.equal(rec.guide(GUIDANCE), true);
        setTimeout(guided, 500); // time for the CLI to read the message before the reply lands
      },
    });
    const { outcome, rec, requests } = await running;
    assert.equal(expectKind(outcome, 'completed').result_text, 'Saw the guidance.');
    assert.ok(requests.some((r) => userText(r).includes(GUIDANCE)));
    assert.ok(rec.events.some((e) => e.type === 'guidance' && e.text === GUIDANCE));
  });

  it('runs a second turn for guidance that arrives while the model writes its final answer', async () => {
    repo = makeUnitRepo();
    let guided!: () => void;
    const guidanceSent = new Promise<void>((ok) => (guided = ok));
    const { outcome, rec } = await runReal(
      replySequence([
        async () => {
          await guidanceSent;
          return { text: 'first answer' };
        },
        (req) => ({ text: userText(req).includes('rename it') ? 'renamed' : 'no guidance seen' }),
      ]),
      {
        onStart: async (r) => {
          await r.next((e) => e.type === 'session');
          r.guide('rename it');
          setTimeout(guided, 500); // time for the CLI to read the message before the reply lands
        },
      },
    );
    assert.equal(expectKind(outcome, 'completed').result_text, 'renamed');
    assert.deepEqual(
      rec.events.filter((e) => e.type === 'result').map((e) => e.type === 'result' && e.result_text),
      ['first answer', 'renamed'],
    );
  });

  it('reports an overloaded API as a retryable failure', async () => {
    const { outcome } = await runReal(() => ({
      httpError: 529,
      errorType: 'overloaded_error',
      message: 'busy',
    }));
    const { failure } = expectKind(outcome, 'failed');
    assert.deepEqual([failure.code, failure.retryable], ['overloaded', true]);
  });
});
