import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import type { HistoryDto, UnitPageDto } from '../api/dto.js';
import {
  collapseWarnings,
  formatCost,
  formatDuration,
  renderHistory,
  renderInjected,
  renderNextPage,
  renderQueue,
  renderUnitDetails,
  renderUnitTable,
} from './format-units.js';
import { renderTable, truncate } from './output.js';

const plain = { color: false };

describe('format-units', () => {
  it('collapses the same warning for many chunks into one line naming them', () => {
    const plan = "Chunk has status 'FUTURE' with an empty plan. It will start with the PLAN phase.";
    const many = ['a', 'b', 'c', 'd', 'e'].map((c) => `${c}: ${plan}`);
    assert.deepEqual(collapseWarnings([...many, 'x: something else', 'no chunk prefix']), [
      `a, b, c and 2 more: ${plan}`,
      'x: something else',
      'no chunk prefix',
    ]);
    assert.deepEqual(collapseWarnings([`a: ${plan}`, `b: ${plan}`]), [`a, b: ${plan}`]);
  });

  it('formats waiting times as seconds, minutes and tenths of hours', () => {
    assert.equal(formatDuration(42), '42s');
    assert.equal(formatDuration(59.9), '59s');
    assert.equal(formatDuration(60), '1m');
    assert.equal(formatDuration(5 * 60 + 59), '5m');
    assert.equal(formatDuration(3600), '1.0h');
    assert.equal(formatDuration(1.3 * 3600), '1.3h');
    assert.equal(formatDuration(-5), '0s');
  });

  it('ends a paged ps with the count left and the command for the next page, keeping the filter', () => {
    const page = (count: number, total: number, next_after: string | null): UnitPageDto => ({
      work_units: [],
      count,
      total,
      next_after,
    });
    assert.deepEqual(renderNextPage(page(100, 10_000, 'seed-00099'), { limit: 100 }), [
      '… 9,900 more: ve orch ps --limit 100 --after seed-00099',
    ]);
    // further on, what lies before the page is unknown: only the total is said
    assert.deepEqual(renderNextPage(page(2, 40, 'c'), { limit: 2, after: 'a', status: 'NEEDS_ATTENTION' }), [
      '… more (40 in all): ve orch ps --status NEEDS_ATTENTION --limit 2 --after c',
    ]);
    assert.deepEqual(renderNextPage(page(3, 5, 'x'), { limit: 3, active: true }), [
      '… 2 more: ve orch ps --active --limit 3 --after x',
    ]);
    assert.deepEqual(renderNextPage(page(5, 5, null), { limit: 5 }), []);
    assert.deepEqual(renderNextPage(page(5, 5, null), {}), []);
  });

  it('formats costs with enough digits for small amounts', () => {
    assert.equal(formatCost(0), '$0.00');
    assert.equal(formatCost(0.0031), '$0.0031');
    assert.equal(formatCost(1.256), '$1.26');
  });

  it('aligns table columns and leaves colour out when it is off', () => {
    const lines = renderTable(
      plain,
      [
        { header: 'A', value: (r: { a: string; b: string }) => r.a },
        { header: 'B', value: (r) => r.b },
      ],
      [
        { a: 'long-value', b: 'x' },
        { a: 's', b: 'y' },
      ],
    );
    assert.deepEqual(lines, ['A           B', 'long-value  x', 's           y']);
  });

  it('pads before colouring so escapes never shift columns', () => {
    const lines = renderTable(
      { color: true },
      [
        { header: 'S', value: (r: string) => r, colour: () => 'red' as const },
        { header: 'T', value: () => 'z' },
      ],
      ['ab', 'a'],
    );
    assert.equal(lines[2], '\u001b[31ma \u001b[0m  z');
  });

  it('truncates long cells with an ellipsis', () => {
    assert.equal(truncate('abcdefghij', 6), 'abc...');
    assert.equal(truncate('multi\nline', 20), 'multi line');
  });

  it('renders ps with a REASON column only when a unit needs attention', () => {
    const units = [
      aWorkUnit({ chunk: 'auth', phase: 'IMPLEMENT', status: 'RUNNING', cost_usd: 0.5 }),
      aWorkUnit({ chunk: 'billing', status: 'BLOCKED', blocked_by: ['auth', 'db'] }),
    ];
    const calm = renderUnitTable(plain, units);
    assert.match(calm[0] ?? '', /^CHUNK\s+PHASE\s+STATUS\s+BLOCKED-BY\s+COST$/);
    assert.match(calm[1] ?? '', /^auth\s+IMPLEMENT\s+RUNNING\s+-\s+\$0\.50$/);
    assert.match(calm[2] ?? '', /billing\s+PLAN\s+BLOCKED\s+auth, db/);
    const stuck = aWorkUnit({
      chunk: 'cache',
      status: 'NEEDS_ATTENTION',
      attention_kind: 'QUESTION',
      attention_reason: 'Which TTL?',
    });
    const withReason = renderUnitTable(plain, [...units, stuck]);
    assert.match(withReason[0] ?? '', /COST\s+REASON$/);
    assert.match(withReason[3] ?? '', /QUESTION: Which TTL\?$/);
    assert.deepEqual(renderUnitTable(plain, []), ['No work units']);
  });

  it('numbers the queue in dispatch order', () => {
    const lines = renderQueue(plain, [aWorkUnit({ chunk: 'b', priority: 5 }), aWorkUnit({ chunk: 'a' })]);
    assert.match(lines[1] ?? '', /^1\s+b\s+PLAN\s+5$/);
    assert.match(lines[2] ?? '', /^2\s+a\s+PLAN\s+0$/);
    assert.deepEqual(renderQueue(plain, []), ['Ready queue is empty']);
  });

  it('prints one line per injected unit, with blockers and retain', () => {
    const lines = renderInjected({
      results: [
        aWorkUnit({ chunk: 'db', phase: 'IMPLEMENT' }),
        aWorkUnit({ chunk: 'api', blocked_by: ['db'], priority: 3, retain_worktree: true }),
      ],
      warnings: [],
    });
    assert.deepEqual(lines, [
      'Injected: db [IMPLEMENT] priority=0',
      'Injected: api [PLAN] priority=3 blocked_by=[db] retain=true',
      'Injected 2 chunks in dependency order',
    ]);
  });

  it('shows every field of a unit, including cost, tokens and a pending question', () => {
    const asking = { status: 'NEEDS_ATTENTION', attention_kind: 'QUESTION' } as const;
    const spend = { cost_usd: 1.5, tokens_in: 12345, tokens_out: 678 };
    const unit = aWorkUnit({
      chunk: 'auth',
      ...asking,
      attention_reason: 'Question: which store?',
      ...spend,
      question: {
        id: 'q-1',
        phase: 'PLAN',
        asked_at: '2026-01-01T00:00:00.000Z',
        questions: [
          {
            question: 'Which store?',
            options: [{ label: 'Redis' }, { label: 'SQLite', description: 'local' }],
          },
        ],
      },
    });
    const text = renderUnitDetails(plain, unit).join('\n');
    assert.match(text, /Attention:\s+QUESTION: Question: which store\?/);
    assert.match(text, /Cost:\s+\$1\.50/);
    assert.match(text, /Tokens:\s+12,345 in \/ 678 out/);
    assert.match(text, /Question \(id q-1/);
    assert.match(text, / {4}2\. SQLite - local/);
  });

  it('renders history with forced changes, answers and phase run costs', () => {
    const h: HistoryDto = {
      chunk: 'auth',
      history: [
        {
          id: 1,
          chunk: 'auth',
          old_status: 'READY',
          new_status: 'DONE',
          phase: 'PLAN',
          event: 'force',
          reason: 'merged by hand',
          source: 'api',
          forced: true,
          at: '2026-01-01T00:00:00.000Z',
        },
      ],
      attention: [
        {
          id: 1,
          chunk: 'auth',
          kind: 'QUESTION',
          question_id: 'q',
          phase: 'PLAN',
          raised: { reason: 'Which store?', question: null },
          answer: 'Redis',
          answered_by: 'cli',
          raised_at: '2026-01-01T00:00:00.000Z',
          answered_at: '2026-01-01T00:01:00.000Z',
        },
      ],
      phase_runs: [
        {
          id: 1,
          chunk: 'auth',
          phase: 'PLAN',
          started_at: 'a',
          ended_at: 'b',
          outcome: 'completed',
          session_id: 's',
          cost_usd: 0.25,
          tokens_in: 10,
          tokens_out: 20,
          error: null,
        },
        {
          id: 2,
          chunk: 'auth',
          phase: 'IMPLEMENT',
          started_at: 'c',
          ended_at: null,
          outcome: null,
          session_id: null,
          cost_usd: 0.5,
          tokens_in: 0,
          tokens_out: 0,
          error: null,
        },
      ],
    };
    const text = renderHistory(plain, h).join('\n');
    assert.match(text, /READY -> DONE \[PLAN\]\s+force by api FORCED - merged by hand/);
    assert.match(text, /answered 2026-01-01T00:01:00.000Z by cli: Redis/);
    assert.match(text, /IMPLEMENT\s+c\s+\(running\)/);
    assert.match(text, /Total cost: \$0\.75/);
  });
});
