/**
 * ClaudeAgentBackend with the real SDK and the fake CLI: outcomes and failure classes, the sandbox at
 * the tool boundary, and what reaches the CLI (flags, system prompt, env, prompt order).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { expectKind } from '../../../test/contracts/agent-backend.contract.js';
import {
  aPhaseRequest,
  fakeClaudePath,
  gitIn,
  makeUnitRepo,
  type UnitRepo,
} from '../../../test/support/agent-fixtures.js';
import { type RecordingObserver, recordingObserver } from '../../../test/support/recording-observer.js';
import { silentLogger } from '../../infra/json-logger.js';
import type { PhaseRequest } from '../../ports/agent-backend.js';
import { PromptOverrideError } from '../prompt-overrides.js';
import { ClaudeAgentBackend, type ClaudeAgentBackendOptions } from './backend.js';

interface Recorded {
  kind: string;
  argv: string[];
  prompt: string;
  env: Record<string, string>;
  initialize: { appendSystemPrompt?: string; sdkMcpServers?: unknown; hooks?: unknown };
}

let repo: UnitRepo | null = null;
afterEach(() => {
  repo?.cleanup();
  repo = null;
});

function setupRepo(): UnitRepo {
  repo = makeUnitRepo();
  return repo;
}

async function runScripted(
  steps: unknown[],
  opts: {
    request?: Partial<PhaseRequest>;
    now?: number;
    env?: Record<string, string>;
    templates?: ClaudeAgentBackendOptions['templates'];
    /** runs alongside the phase, e.g. to abort it at a chosen event */
    during?: (rec: RecordingObserver) => Promise<void>;
  } = {},
) {
  repo ??= makeUnitRepo();
  const script = join(repo.root, 'script.json');
  const record = join(repo.root, 'record.jsonl');
  writeFileSync(script, JSON.stringify(steps));
  const backend = new ClaudeAgentBackend({
    pathToClaudeCodeExecutable: fakeClaudePath(),
    env: { FAKE_CLAUDE_SCRIPT: script, FAKE_CLAUDE_RECORD: record, ...opts.env },
    log: silentLogger,
    now: () => opts.now ?? Date.parse('2026-03-10T10:00:00Z'),
    ...(opts.templates ? { templates: opts.templates } : {}),
  });
  const rec = recordingObserver();
  const [outcome] = await Promise.all([
    backend.runPhase(aPhaseRequest(repo, opts.request), rec.observer),
    opts.during?.(rec),
  ]);
  const records = existsSync(record)
    ? readFileSync(record, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Recorded)
    : [];
  return { outcome, rec, records, repo };
}

describe('ClaudeAgentBackend outcomes', () => {
  it('sums cost and tokens over the models of the last result', async () => {
    const { outcome } = await runScripted([
      {
        result: 'done',
        cost: 0.25,
        modelUsage: {
          big: {
            inputTokens: 100,
            outputTokens: 20,
            cacheReadInputTokens: 50,
            cacheCreationInputTokens: 5,
            costUSD: 0.2,
          },
          small: {
            inputTokens: 10,
            outputTokens: 2,
            cacheReadInputTokens: 0,
            cacheCreationInputTokens: 0,
            costUSD: 0.05,
          },
        },
      },
    ]);
    assert.deepEqual(expectKind(outcome, 'completed').usage, {
      cost_usd: 0.25,
      tokens_in: 165,
      tokens_out: 22,
    });
  });

  it('falls back to the result usage when modelUsage is empty', async () => {
    const { outcome } = await runScripted([{ result: 'done', usage: { input_tokens: 7, output_tokens: 3 } }]);
    assert.deepEqual(expectKind(outcome, 'completed').usage, { cost_usd: 0, tokens_in: 7, tokens_out: 3 });
  });

  it('turns a usage-limit error into usage_limit with the reset time', async () => {
    const { outcome } = await runScripted([{ error: "You've hit your limit · resets 3pm (Europe/Berlin)" }], {
      now: Date.parse('2026-01-15T10:00:00Z'),
    });
    const { failure } = expectKind(outcome, 'failed');
    assert.equal(failure.code, 'usage_limit');
    assert.equal(failure.retryable, true);
    assert.equal(failure.retryAt, Date.parse('2026-01-15T14:00:00Z'));
  });

  it('classifies a 500 as a retryable api_5xx failure and keeps the session id', async () => {
    const { outcome, rec } = await runScripted([{ error: 'API Error: 500 Internal server error' }]);
    const failed = expectKind(outcome, 'failed');
    assert.equal(failed.failure.code, 'api_5xx');
    assert.equal(failed.failure.retryable, true);
    const session = rec.events.find((e) => e.type === 'session');
    assert.equal(session?.type === 'session' && session.session_id, failed.session_id);
  });

  it('classifies an authentication error as not retryable', async () => {
    const { outcome } = await runScripted([
      { error: 'Not logged in · Please run /login', assistantError: 'authentication_failed' },
    ]);
    assert.deepEqual(
      [expectKind(outcome, 'failed').failure.code, expectKind(outcome, 'failed').failure.retryable],
      ['auth', false],
    );
  });

  it('reports max turns', async () => {
    const { outcome } = await runScripted([
      { error: 'Reached maximum number of turns (3)', subtype: 'error_max_turns' },
    ]);
    assert.equal(expectKind(outcome, 'failed').failure.code, 'max_turns');
  });

  it('reports a run Claude Code stopped at --max-budget-usd as budget, with what it cost', async () => {
    const { outcome, records } = await runScripted(
      [{ spend: 0.3 }, { spend: 0.3 }, { spend: 0.3 }, { result: 'never reached' }],
      { request: { maxBudgetUsd: 0.5 } },
    );
    const failed = expectKind(outcome, 'failed');
    assert.equal(failed.failure.code, 'budget');
    assert.equal(failed.failure.message, 'Reached maximum budget ($0.5)');
    assert.equal(failed.usage.cost_usd, 0.6, 'the turn that crossed the cap finished');
    assert.ok(records[0]?.argv.includes('--max-budget-usd=0.5'));
  });

  it('treats an ordinary error result as error_result', async () => {
    const { outcome } = await runScripted([{ error: 'API Error: 400 prompt is too long' }]);
    const { failure } = expectKind(outcome, 'failed');
    assert.deepEqual(
      [failure.code, failure.retryable, failure.message],
      ['error_result', false, 'API Error: 400 prompt is too long'],
    );
  });

  it('counts a turn that finishes after the abort as aborted: its tools were cut off mid-phase', async () => {
    // the real CLI keeps going after the SDK closes its input: pending tool permissions fail, the
    // model wraps up and a success result still arrives; advancing on it would skip the lost work
    const steps = [{ resultOnAbort: 'done' }, { text: 'working' }, { sleep: 5000 }, { result: 'late' }];
    const { outcome } = await runScripted(steps, {
      during: async (rec) => {
        await rec.next((e) => e.type === 'text');
        rec.abort();
      },
    });
    expectKind(outcome, 'aborted');
  });

  it('keeps a turn that finished before the abort as completed', async () => {
    const { outcome } = await runScripted([{ result: 'done' }, { sleep: 400 }], {
      during: async (rec) => {
        // the result event is emitted after the backend recorded the result: the turn is over
        await rec.next((e) => e.type === 'result');
        rec.abort();
      },
    });
    expectKind(outcome, 'completed');
  });

  it('fails with no_result when the CLI exits cleanly without a result', async () => {
    const { outcome } = await runScripted([{ text: 'thinking' }, { exit: 0 }]);
    assert.equal(expectKind(outcome, 'failed').failure.code, 'no_result');
  });

  it('fails with process_exit, carrying stderr, when the CLI crashes', async () => {
    const { outcome } = await runScripted([{ crash: 'segfault in the fake', code: 3 }]);
    const { failure } = expectKind(outcome, 'failed');
    assert.equal(failure.code, 'process_exit');
    assert.match(failure.message, /code 3/);
  });
});

describe('ClaudeAgentBackend sandbox', () => {
  it('lets a Write inside the worktree through', async () => {
    const { outcome, repo } = await runScripted([
      { tool: 'Write', input: { file_path: 'src/new.txt', content: 'hello' } },
      { result: 'done' },
    ]);
    expectKind(outcome, 'completed');
    assert.equal(readFileSync(join(repo.worktree, 'src', 'new.txt'), 'utf8'), 'hello');
  });

  it('lets git commit inside the worktree through, on the unit branch', async () => {
    const { outcome, repo } = await runScripted([
      { tool: 'Write', input: { file_path: 'a.txt', content: 'a' } },
      { tool: 'Bash', input: { command: 'git add a.txt && git commit -q -m "add a"' } },
      { result: 'done' },
    ]);
    expectKind(outcome, 'completed');
    assert.equal(gitIn(repo.host, 'log', '-1', '--format=%s', 'orch/feat'), 'add a');
    assert.equal(gitIn(repo.host, 'log', '-1', '--format=%s', 'main'), 'init');
  });

  it('denies a Write outside the worktree: no file, a denied event, an error tool result', async () => {
    const outside = join(outsideDir(setupRepo()), 'escaped.txt');
    const { outcome, rec } = await runScripted([
      { tool: 'Write', input: { file_path: outside, content: 'x' } },
      { result: '{{last}}' },
    ]);
    assert.equal(existsSync(outside), false);
    const denied = rec.events.find((e) => e.type === 'denied');
    assert.ok(
      denied?.type === 'denied' && denied.tool === 'Write' && /outside your worktree/.test(denied.reason),
    );
    const toolResult = rec.events.find((e) => e.type === 'tool_result');
    assert.ok(toolResult?.type === 'tool_result' && toolResult.is_error);
    assert.match(expectKind(outcome, 'completed').result_text ?? '', /Blocked: Write/);
  });

  it('denies shell commands aimed at the host repository', async () => {
    const r = setupRepo();
    const { outcome, rec } = await runScripted([
      { tool: 'Bash', input: { command: `touch ${r.host}/leak.txt` } },
      { tool: 'Bash', input: { command: `git -C ${r.host} commit --allow-empty -m sneaky` } },
      { tool: 'Bash', input: { command: `GIT_DIR=${r.host}/.git git commit --allow-empty -m sneaky` } },
      { result: 'done' },
    ]);
    expectKind(outcome, 'completed');
    assert.equal(rec.events.filter((e) => e.type === 'denied').length, 3);
    assert.equal(existsSync(join(r.host, 'leak.txt')), false);
    assert.equal(gitIn(r.host, 'log', '-1', '--format=%s', 'main'), 'init');
  });

  it('denies a Write through a symlink that leads out of the worktree', async () => {
    const r = setupRepo();
    symlinkSync(outsideDir(r), join(r.worktree, 'link'));
    symlinkSync(join(outsideDir(r), 'dangling-target.txt'), join(r.worktree, 'dangling.txt'));
    const { rec } = await runScripted([
      { tool: 'Write', input: { file_path: 'link/escaped.txt', content: 'x' } },
      { tool: 'Write', input: { file_path: 'dangling.txt', content: 'x' } },
      { result: 'done' },
    ]);
    const denied = rec.events.filter((e) => e.type === 'denied');
    assert.equal(denied.length, 2);
    assert.ok(denied.every((e) => e.type === 'denied' && /symlink/.test(e.reason)));
    assert.equal(existsSync(join(outsideDir(r), 'escaped.txt')), false);
    assert.equal(existsSync(join(outsideDir(r), 'dangling-target.txt')), false);
  });
});

function outsideDir(r: UnitRepo): string {
  const dir = join(r.root, 'outside');
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('ClaudeAgentBackend wiring', () => {
  it('passes resume, turns, budget, model, permission mode and setting sources as flags', async () => {
    const { outcome, records } = await runScripted([{ result: 'done' }], {
      request: { resumeSessionId: 'sess-123', maxTurns: 7, maxBudgetUsd: 2.5, model: 'claude-test' },
    });
    assert.equal(outcome.session_id, 'sess-123');
    const argv = records[0]?.argv ?? [];
    for (const f of [
      '--resume=sess-123',
      '--max-turns=7',
      '--max-budget-usd=2.5',
      '--model=claude-test',
      '--permission-mode=default',
      '--setting-sources=project',
      '--permission-prompt-tool=stdio',
    ]) {
      assert.ok(argv.includes(f), `${f} missing from ${argv.join(' ')}`);
    }
  });

  it('starts a fresh session without --resume', async () => {
    const { records } = await runScripted([{ result: 'done' }]);
    assert.equal(
      records[0]?.argv.some((a) => a.startsWith('--resume')),
      false,
    );
  });

  it("appends our rules to Claude Code's system prompt and registers the sandbox hook", async () => {
    const { records } = await runScripted([{ result: 'done' }]);
    const init = records[0]?.initialize;
    assert.match(init?.appendSystemPrompt ?? '', /ve orchestrator: chunk `feat`, phase IMPLEMENT/);
    assert.match(JSON.stringify(init?.hooks), /PreToolUse/);
    assert.equal(JSON.stringify(init?.sdkMcpServers ?? []).includes('orchestrator'), false);
  });

  it('offers the orchestrator MCP server only in REVIEW', async () => {
    const { records } = await runScripted([{ result: 'done' }], { request: { phase: 'REVIEW' } });
    assert.match(JSON.stringify(records[0]?.initialize.sdkMcpServers), /orchestrator/);
  });

  it('refuses a review decision that contradicts itself, in the session, and keeps the corrected one', async () => {
    const contradicts = {
      decision: 'APPROVE',
      summary: 's',
      issues: [{ concern: 'no test', blocking: true }],
    };
    const notes = { decision: 'FEEDBACK', summary: 's', issues: [{ concern: 'naming', blocking: false }] };
    const { outcome, rec } = await runScripted(
      [{ review: contradicts }, { review: notes }, { result: 'done' }],
      {
        request: { phase: 'REVIEW' },
      },
    );
    const results = rec.events.flatMap((e) => (e.type === 'tool_result' ? [e] : []));
    assert.equal(results.length, 2);
    assert.ok(results[0]?.is_error);
    assert.match(results[0]?.content ?? '', /Not recorded: APPROVE with 1 blocking issue/);
    assert.ok(!results[1]?.is_error);
    assert.match(results[1]?.content ?? '', /counts as an approval/);
    assert.deepEqual(expectKind(outcome, 'completed').review, notes);
  });

  it('builds the prompt in order: answer, sandbox rules, re-entry, feedback, phase body', async () => {
    const { records, repo } = await runScripted([{ result: 'done' }], {
      request: {
        operatorAnswer: 'Use SQLite',
        reentryContext: 'tests failed',
        reviewFeedback: '1. add a test',
      },
    });
    const prompt = records[0]?.prompt ?? '';
    const at = (s: string) => prompt.indexOf(s);
    assert.ok(prompt.startsWith('Operator answer: Use SQLite'));
    assert.ok(at(repo.worktree) > 0 && at(repo.worktree) < at('tests failed'));
    assert.ok(at('tests failed') < at('1. add a test'));
    assert.ok(at('1. add a test') < at('# IMPLEMENT phase'));
    assert.match(prompt, /docs\/chunks\/feat\/PLAN\.md/);
  });

  it('runs the template it is given, and names the convention files the worktree has', async () => {
    const r = setupRepo();
    writeFileSync(join(r.worktree, 'AGENTS.md'), '# How we work\n');
    const { records } = await runScripted([{ result: 'done' }], {
      templates: async (phase) => ({ text: `# Team ${phase} prompt for {{chunk}}`, origin: 'test' }),
    });
    const prompt = records[0]?.prompt ?? '';
    assert.match(prompt, /# Team IMPLEMENT prompt for feat/);
    assert.match(prompt, /how it works in `AGENTS\.md`\./);
    assert.doesNotMatch(prompt, /`CLAUDE\.md`/);
  });

  it('fails the phase with code prompt, before Claude Code starts, when the override is refused', async () => {
    const refused = new PromptOverrideError('ve/prompts/implement.md', 've/prompts/implement.md is empty');
    const { outcome, records } = await runScripted([{ result: 'done' }], {
      templates: async () => {
        throw refused;
      },
    });
    assert.deepEqual(expectKind(outcome, 'failed').failure, {
      code: 'prompt',
      message: 've/prompts/implement.md is empty',
      retryable: false,
    });
    assert.deepEqual(records, [], 'no CLI process was started');
  });

  it('gives the CLI the daemon env plus ours, minus git location variables and CDPATH, with git ceilings and bash', async () => {
    setupRepo(); // before GIT_DIR is set: the fixture's own git calls would follow it
    process.env.GIT_DIR = '/somewhere/else/.git';
    process.env.CDPATH = '/';
    process.env.NPM_CONFIG_CACHE = '/home/op/.npm';
    try {
      const { records, repo } = await runScripted([{ result: 'done' }], {
        env: { VE_EXTRA: 'yes', npm_config_cache: '/p/.ve/cache/npm' },
      });
      const env = records[0]?.env ?? {};
      assert.equal(env.VE_EXTRA, 'yes');
      assert.equal(env.npm_config_cache, '/p/.ve/cache/npm');
      assert.equal(env.NPM_CONFIG_CACHE, undefined, 'the inherited spelling in another case is gone');
      assert.equal(env.GIT_DIR, undefined);
      assert.equal(env.CDPATH, undefined, 'cd must go where the policy looks');
      // the policy reads commands as bash, so they run in bash
      assert.match(env.CLAUDE_CODE_SHELL ?? '', /\/bash$/);
      assert.equal(env.HOME, process.env.HOME);
      assert.deepEqual(env.GIT_CEILING_DIRECTORIES?.split(':').slice(0, 2), [
        repo.host,
        join(repo.host, '.ve', 'chunks', 'feat'),
      ]);
    } finally {
      delete process.env.GIT_DIR;
      delete process.env.CDPATH;
      delete process.env.NPM_CONFIG_CACHE;
    }
  });

  it('keeps the session open for a turn that queued guidance starts', async () => {
    const r = setupRepo();
    const script = join(r.root, 'script.json');
    const record = join(r.root, 'record.jsonl');
    writeFileSync(script, JSON.stringify([{ awaitQueued: true }, { result: 'first' }]));
    const backend = new ClaudeAgentBackend({
      pathToClaudeCodeExecutable: fakeClaudePath(),
      env: { FAKE_CLAUDE_SCRIPT: script, FAKE_CLAUDE_RECORD: record },
      log: silentLogger,
    });
    const rec = recordingObserver();
    const running = backend.runPhase(aPhaseRequest(r), rec.observer);
    await rec.next((e) => e.type === 'session');
    rec.guide('also update the README');
    const outcome = expectKind(await running, 'completed');
    // the first result says a turn is queued, so the input stays open for it
    assert.match(readFileSync(record, 'utf8'), /also update the README/);
    assert.equal(outcome.result_text, 'Guidance received: also update the README');
    assert.deepEqual(
      rec.events.filter((e) => e.type === 'result').map((e) => e.type === 'result' && e.result_text),
      ['first', 'Guidance received: also update the README'],
    );
  });
});
