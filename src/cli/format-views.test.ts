import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import type { AttentionItemDto, StatusDto } from '../api/dto.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { renderAttention, renderPlan } from './format-attention.js';
import { clockTime, formatEvent, parseLogLine, toolSummary } from './format-log.js';
import {
  formatConfigValue,
  renderConfig,
  renderConflicts,
  renderStatus,
  renderWorktrees,
  stoppedStatus,
} from './format-orch.js';
import { renderUnitDetails, renderUnitTable } from './format-units.js';

const plain = { color: false };
/** noon, local time: the times shown are the operator's */
const NOW = new Date(2026, 2, 1, 12, 0).getTime();

const STOPPED: StatusDto = stoppedStatus('/r', null);

function anItem(fields: Partial<AttentionItemDto> & { chunk: string }): AttentionItemDto {
  return {
    kind: 'ERROR',
    phase: 'IMPLEMENT',
    reason: 'boom',
    question: null,
    blocks_count: 0,
    depth: 0,
    waiting_seconds: 0,
    raised_at: '2026-01-01T00:00:00.000Z',
    goal_summary: '',
    blocked_by: [],
    worktree: null,
    version: 1,
    budget: null,
    ...fields,
  };
}

describe('format views', () => {
  it('renders attention items with kind, blocks, waiting time, questions and goal', () => {
    const lines = renderAttention(plain, [
      anItem({
        chunk: 'auth',
        kind: 'QUESTION',
        phase: 'PLAN',
        blocks_count: 3,
        waiting_seconds: 4680,
        reason: 'Question: which\nstore?',
        goal_summary: 'Log users in.',
        question: {
          id: 'q1',
          phase: 'PLAN',
          asked_at: 'x',
          questions: [
            { question: 'Which store?', options: [{ label: 'Redis' }, { label: 'SQLite' }] },
            { question: 'TTL?', options: [{ label: '15m' }] },
          ],
        },
      }),
      anItem({ chunk: 'db', waiting_seconds: 42 }),
    ]);
    assert.equal(lines[0], 'ATTENTION (2 items)');
    assert.equal(lines[2], '[1] auth  QUESTION  PLAN  blocks:3  waiting:1.3h');
    assert.equal(lines[3], '    Question: which store?');
    assert.equal(lines[4], '    Q1: Which store?');
    assert.equal(lines[5], '      1. Redis');
    assert.equal(lines[6], '      2. SQLite');
    assert.equal(lines[7], '    Q2: TTL?');
    assert.ok(lines.includes('    Goal: Log users in.'));
    assert.ok(lines.includes('[2] db  ERROR  IMPLEMENT  blocks:0  waiting:42s'));
    assert.deepEqual(renderAttention(plain, []), ['Nothing needs your attention']);
  });

  it('keeps a question asked in prose, paragraphs and options, under its Q:', () => {
    const lines = renderAttention(plain, [
      anItem({
        chunk: 'auth',
        kind: 'QUESTION',
        question: {
          id: 'q1',
          phase: 'IMPLEMENT',
          asked_at: 'x',
          questions: [
            {
              question: 'Two stores fit:\n\n1. Redis\n2. SQLite\n\nWhich one should I use?',
              header: 'Asked in prose',
              options: [],
            },
          ],
        },
      }),
    ]);
    const at = lines.indexOf('    Q: [Asked in prose] Two stores fit:');
    assert.ok(at > 0, lines.join('\n'));
    assert.deepEqual(lines.slice(at + 1, at + 6), [
      '',
      '      1. Redis',
      '      2. SQLite',
      '',
      '      Which one should I use?',
    ]);
  });

  it('renders a stopped and a running status', () => {
    assert.deepEqual(renderStatus(plain, STOPPED, null, NOW), ['Status: Stopped']);
    const running: StatusDto = {
      ...STOPPED,
      running: true,
      pid: 42,
      uptime_seconds: 300,
      base_branch: 'main',
      counts: { READY: 2, DONE: 1 },
      agents: { running: 1, max: 2 },
      total_cost_usd: 1.5,
      agent_sandbox: { mode: 'auto', active: true, reason: null, held: null },
      setup: { command: 'npm ci', source: 'detected', why: 'detected from package-lock.json' },
    };
    const text = renderStatus(plain, running, 'http://127.0.0.1:9/?token=t', NOW).join('\n');
    const unconfined: StatusDto = {
      ...running,
      agent_sandbox: { mode: 'off', active: false, reason: 'agent_sandbox is off', held: null },
    };
    assert.match(
      renderStatus(plain, unconfined, null, NOW).join('\n'),
      /Agent sandbox: tool policy only \(agent_sandbox is off\): it cannot see what inline code \(node -e, python -c/,
    );
    const held: StatusDto = {
      ...running,
      agent_sandbox: { mode: 'auto', active: false, reason: 'socat is not installed', held: 'install socat' },
    };
    assert.match(
      renderStatus(plain, held, null, NOW).join('\n'),
      /Agent sandbox: agents held: install socat/,
    );
    assert.match(text, /Agent sandbox: OS sandbox under shell commands/);
    assert.match(text, /Setup: npm ci \(detected from package-lock\.json\)/);
    const off = {
      ...running,
      setup: { command: null, source: 'off', why: 'setup_command is off' },
    } as StatusDto;
    assert.match(renderStatus(plain, off, null, NOW).join('\n'), /Setup: off\n/);
    assert.match(text, /PID: 42\nUptime: 5m/);
    assert.match(text, /Agents: 1\/2 running/);
    assert.match(text, /Total cost: \$1\.50/);
    assert.match(text, /Work units:\n {2}READY: 2\n {2}DONE: 1/);
    assert.match(text, /Dashboard: http:\/\/127\.0\.0\.1:9\/\?token=t/);
    assert.doesNotMatch(text, /Config warning/);
    const warned = { ...running, config_warnings: ['max_agents: stored value "x" is invalid'] };
    assert.match(
      renderStatus(plain, warned, null, NOW).join('\n'),
      /Agent sandbox: .*\nSetup: .*\nConfig warning: max_agents: stored value "x" is invalid\nWork units:/,
    );
  });

  it('shows spend against the limits, a spent project window, BUDGET items and a usage-limit reset', () => {
    const at = (day: number, hour: number, minute = 0) => new Date(2026, 2, day, hour, minute).toISOString();
    const noLimits = { phase_usd: null, unit_usd: null, unit_tokens: null, project: null, items: 0 };
    const running: StatusDto = { ...STOPPED, running: true, budget: noLimits };
    assert.doesNotMatch(renderStatus(plain, running, null, NOW).join('\n'), /Budget|Usage limit/);
    const project = {
      limit_usd: 50,
      window_hours: 24,
      spent_usd: 12.4,
      reached: false,
      frees_at: null,
      waiting: 0,
    };
    const limited = renderStatus(
      plain,
      { ...running, budget: { phase_usd: 2, unit_usd: 5, unit_tokens: 2_000_000, project, items: 0 } },
      null,
      NOW,
    );
    assert.ok(
      limited.includes(
        'Budget: per phase $2.00 · per unit $5.00 and 2,000,000 tokens · project $12.40 of $50.00 in the last 24 h',
      ),
      limited.join('\n'),
    );
    const spent = renderStatus(
      plain,
      {
        ...running,
        budget: {
          ...noLimits,
          project: {
            ...project,
            window_hours: 1.5,
            spent_usd: 50.2,
            reached: true,
            frees_at: at(2, 9, 14),
            waiting: 12,
          },
          items: 2,
        },
        usage_limit: { resumes_at: at(1, 15), units: 3 },
      },
      null,
      NOW,
    );
    assert.deepEqual(spent.slice(spent.indexOf('Budget: project $50.20 of $50.00 in the last 1.5 h')), [
      'Budget: project $50.20 of $50.00 in the last 1.5 h',
      'Project budget reached: no phase starts until Mar 2 09:14 (12 units waiting), or raise it: ve orch config --project-budget-usd 100.40',
      'Over budget: 2 units wait for a raised limit (ve orch attention)',
      'Usage limit: resumes at 15:00, 3 units waiting',
      'Work units: none',
    ]);
  });

  it('shows spend against the unit limits in ps and show', () => {
    const unit = aWorkUnit({ chunk: 'auth', cost_usd: 3.2, tokens_in: 1200, tokens_out: 300 });
    const limits = { unit_budget_usd: 5, unit_budget_tokens: 10_000 };
    const table = renderUnitTable(plain, [unit], { limits });
    assert.match(table[0] ?? '', /COST\s+TOKENS$/);
    assert.match(table[1] ?? '', /\$3\.20 of \$5\.00\s+1,500 of 10,000 tokens$/);
    const shown = renderUnitDetails(plain, unit, limits).join('\n');
    assert.match(shown, /Cost:\s+\$3\.20 of \$5\.00\n/);
    assert.match(shown, /Tokens:\s+1,200 in \/ 300 out \(1,500 of 10,000 tokens\)\n/);
    assert.doesNotMatch(renderUnitTable(plain, [unit]).join('\n'), / of |TOKENS/);
  });

  it('says which prompts the project overrides and which overrides are refused', () => {
    const base: StatusDto = {
      ...STOPPED,
      running: true,
      pid: 1,
      base_branch: 'main',
      uptime_seconds: 1,
      agents: { running: 0, max: 1 },
      agent_sandbox: { mode: 'off', active: false, reason: null, held: null },
    };
    const shipped = renderStatus(plain, { ...base, prompts: { overrides: [], problems: [] } }, null, NOW);
    assert.ok(shipped.includes('Prompts: shipped'));
    const text = renderStatus(
      plain,
      {
        ...base,
        prompts: {
          overrides: ['ve/prompts/review.md'],
          problems: [
            {
              phase: 'PLAN',
              file: 've/prompts/plan.md',
              message: 've/prompts/plan.md uses unknown placeholder {{x}}',
            },
          ],
        },
      },
      null,
      NOW,
    ).join('\n');
    assert.match(
      text,
      /Prompts: shipped, with the project's ve\/prompts\/review\.md\n {2}REFUSED: ve\/prompts\/plan\.md uses unknown placeholder \{\{x\}\}; PLAN does not run until it is fixed/,
    );
  });

  it('renders a plan with where it was read, and the ways on while it waits for approval', () => {
    const plan = {
      chunk: 'feat',
      plan: '# Plan\n\n## Approach\n\nA map.',
      ref: 'orch/feat',
      commit: 'abcdef123456',
      awaiting_approval: true,
    };
    const lines = renderPlan(plain, plan);
    assert.deepEqual(lines.slice(0, 4), [
      'docs/chunks/feat/PLAN.md as committed on orch/feat at abcdef1',
      '',
      'Plan',
      '════',
    ]);
    assert.ok(lines.includes('A map.'));
    assert.match(lines.join('\n'), /Approve: ve orch approve feat {4}Ask for changes: ve orch answer feat/);
    assert.doesNotMatch(renderPlan(plain, { ...plan, awaiting_approval: false }).join('\n'), /Approve/);
    assert.deepEqual(renderPlan(plain, { ...plan, plan: null, commit: null }), [
      'docs/chunks/feat/PLAN.md as committed on orch/feat',
      'No docs/chunks/feat/PLAN.md is committed on orch/feat.',
    ]);
  });

  it('shows every config key, none for null, and marks changed keys', () => {
    const lines = renderConfig({ ...DEFAULT_CONFIG, max_agents: 4 }, ['max_agents']);
    assert.equal(lines.length, Object.keys(DEFAULT_CONFIG).length + 1);
    assert.ok(lines.some((l) => /max_agents\s+4\s+\(changed\)/.test(l)));
    assert.ok(lines.some((l) => /model\s+none$/.test(l)));
    assert.equal(formatConfigValue('claude'), 'claude');
  });

  it('renders conflicts with overlaps and the empty variants', () => {
    const c = {
      chunk_a: 'a',
      chunk_b: 'b',
      verdict: 'ASK_OPERATOR' as const,
      confidence: 0.5,
      stage: 'PLAN' as const,
      reason: 'r',
      overlapping_files: ['x.ts', 'y.ts', 'z.ts', 'w.ts'],
      overlapping_symbols: [],
      override: 'SERIALIZE' as const,
      created_at: 't',
    };
    const lines = renderConflicts(plain, [c], {});
    assert.match(lines[1] ?? '', /^a\s+b\s+SERIALIZE \(operator\)\s+0\.50\s+PLAN$/);
    assert.equal(lines[2], '    Files: x.ts, y.ts, z.ts (+1 more)');
    assert.deepEqual(renderConflicts(plain, [], { unresolved: true }), ['No unresolved conflicts']);
    assert.deepEqual(renderConflicts(plain, [], { chunk: 'a' }), ['No conflicts for a']);
    assert.deepEqual(renderConflicts(plain, [], {}), ['No conflicts found']);
  });

  it('renders worktrees with a total', () => {
    const lines = renderWorktrees(plain, {
      worktrees: [
        { chunk: 'a', path: '/p', branch: 'orch/a', exists: false, locked: false, unmerged_commits: 2 },
      ],
      count: 1,
    });
    assert.match(lines[1] ?? '', /^a\s+orch\/a\s+2\s+missing\s+\/p$/);
    assert.equal(lines[2], 'Total: 1 worktree');
  });

  it('formats each agent event kind on one line', () => {
    const at = '2026-01-01T10:20:30.000Z';
    const t = clockTime(at);
    assert.match(t, /^\d\d:\d\d:\d\d$/);
    assert.equal(formatEvent(plain, { type: 'text', text: 'hello\n  world', at }), `${t} hello world`);
    assert.equal(
      formatEvent(plain, {
        type: 'tool_call',
        tool_id: '1',
        name: 'Bash',
        input: { command: 'npm test' },
        at,
      }),
      `${t} → Bash npm test`,
    );
    assert.equal(
      formatEvent(plain, { type: 'tool_result', tool_use_id: '1', content: 'bad', is_error: true, at }),
      `${t} ← error: bad`,
    );
    assert.equal(
      formatEvent(plain, { type: 'denied', tool: 'Write', reason: 'outside the worktree', at }),
      `${t} ✗ denied Write: outside the worktree`,
    );
    assert.equal(
      formatEvent(plain, {
        type: 'question',
        question_id: 'q',
        questions: [{ question: 'Which?', options: [{ label: 'A' }, { label: 'B' }] }],
        at,
      }),
      `${t} ? question: Which? [A | B]`,
    );
    assert.equal(
      formatEvent(plain, {
        type: 've_commit',
        files: ['src/a.js', 'src/b.js'],
        message: 've: commit what the IMPLEMENT session left uncommitted',
        at,
      }),
      `${t} ✎ ve committed what the session left: src/a.js, src/b.js`,
    );
    assert.equal(
      formatEvent(plain, {
        type: 'check',
        decision: 'nudge',
        text: 'Your IMPLEMENT session ended,\n\n- no change',
        at,
      }),
      `${t} ↻ reminded: Your IMPLEMENT session ended, - no change`,
    );
    assert.equal(
      formatEvent(plain, { type: 'check', decision: 'ask', text: 'Which one?', at }),
      `${t} ? asked in prose: Which one?`,
    );
    const result = formatEvent(plain, {
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: 3,
      total_cost_usd: 0.02,
      duration_ms: 4500,
      session_id: 's',
      result_text: 'done',
    });
    assert.equal(result, '--:--:-- = result success turns=3 cost=$0.02 time=5s done');
  });

  it('summarises tool input by its telling field and parses only event lines', () => {
    assert.equal(toolSummary({ file_path: 'src/a.ts', content: 'x' }), 'src/a.ts');
    assert.equal(toolSummary({}), '');
    assert.equal(toolSummary({ n: 1 }), '{"n":1}');
    assert.equal(parseLogLine('{"type":"text","text":"x"}')?.type, 'text');
    assert.equal(parseLogLine('not json'), null);
    assert.equal(parseLogLine('[1,2]'), null);
  });
});
