/** The budget policy, table-tested: may a unit start, with what cap; the project window; stops; lifts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BudgetLimit,
  type BudgetLimits,
  type BudgetStop,
  budgetReason,
  classifyBudgetStop,
  decideStart,
  liftedLimit,
  type ProjectWindow,
  projectWindow,
  raiseCommand,
  type StartDecision,
  type UnitSpend,
} from './budget.js';

const NONE: BudgetLimits = {
  max_budget_usd: null,
  unit_budget_usd: null,
  unit_budget_tokens: null,
  project_budget_usd: null,
  project_budget_window_hours: 24,
};
const limits = (over: Partial<BudgetLimits>): BudgetLimits => ({ ...NONE, ...over });
const spent = (cost_usd: number, tokens_in = 0, tokens_out = 0): UnitSpend & { finalizing: boolean } => ({
  cost_usd,
  tokens_in,
  tokens_out,
  finalizing: false,
});
const project = (spent_usd: number, limit_usd = 50): ProjectWindow => ({
  limit_usd,
  window_hours: 24,
  spent_usd,
  frees_at: null,
});
const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const endedAgo = (hours: number, cost_usd: number) => ({
  ended_at: new Date(NOW - hours * HOUR).toISOString(),
  cost_usd,
});

describe('decideStart', () => {
  const rows: {
    name: string;
    unit: UnitSpend & { finalizing: boolean };
    limits: BudgetLimits;
    project?: ProjectWindow;
    expect: StartDecision;
  }[] = [
    {
      name: 'no limits: starts uncapped',
      unit: spent(40),
      limits: NONE,
      expect: { kind: 'start', max_budget_usd: null, capped_by: null },
    },
    {
      name: 'only the per-phase cap',
      unit: spent(40),
      limits: limits({ max_budget_usd: 2 }),
      expect: { kind: 'start', max_budget_usd: 2, capped_by: 'phase_usd' },
    },
    {
      name: 'the unit’s remaining when it is the least',
      unit: spent(3.25),
      limits: limits({ unit_budget_usd: 5, max_budget_usd: 2 }),
      expect: { kind: 'start', max_budget_usd: 1.75, capped_by: 'unit_usd' },
    },
    {
      name: 'the per-phase cap when it is the least',
      unit: spent(3.25),
      limits: limits({ unit_budget_usd: 5, max_budget_usd: 1 }),
      expect: { kind: 'start', max_budget_usd: 1, capped_by: 'phase_usd' },
    },
    {
      name: 'the project’s remaining when it is the least',
      unit: spent(1),
      limits: limits({ unit_budget_usd: 5, max_budget_usd: 2, project_budget_usd: 50 }),
      project: project(49.5),
      expect: { kind: 'start', max_budget_usd: 0.5, capped_by: 'project_usd' },
    },
    {
      name: 'a token limit gives no USD cap (Claude Code has none for tokens)',
      unit: spent(1, 500, 100),
      limits: limits({ unit_budget_tokens: 1000 }),
      expect: { kind: 'start', max_budget_usd: null, capped_by: null },
    },
    {
      name: 'the unit’s USD limit reached',
      unit: spent(5.2),
      limits: limits({ unit_budget_usd: 5 }),
      expect: { kind: 'over', reached: { limit: 'unit_usd', spent: 5.2, of: 5 } },
    },
    {
      name: 'the unit’s tokens reached (in + out)',
      unit: spent(1, 600, 400),
      limits: limits({ unit_budget_tokens: 1000 }),
      expect: { kind: 'over', reached: { limit: 'unit_tokens', spent: 1000, of: 1000 } },
    },
    {
      name: 'the project’s window spent',
      unit: spent(1),
      limits: limits({ project_budget_usd: 50 }),
      project: project(50),
      expect: { kind: 'over', reached: { limit: 'project_usd', spent: 50, of: 50 } },
    },
    {
      name: 'a unit over its own limit is reported before the project',
      unit: spent(6),
      limits: limits({ unit_budget_usd: 5, project_budget_usd: 50 }),
      project: project(60),
      expect: { kind: 'over', reached: { limit: 'unit_usd', spent: 6, of: 5 } },
    },
    {
      name: 'a phase that spent exactly its cap reaches the limit despite float rounding',
      // 0.1 / 37 + (0.3 - 0.1 / 37) is 0.29999999999999993 in floating point
      unit: spent(0.1 / 37 + (0.3 - 0.1 / 37)),
      limits: limits({ unit_budget_usd: 0.3 }),
      expect: { kind: 'over', reached: { limit: 'unit_usd', spent: 0.1 / 37 + (0.3 - 0.1 / 37), of: 0.3 } },
    },
    {
      name: 'a unit that only merges always starts',
      unit: { ...spent(9, 5000, 5000), finalizing: true },
      limits: limits({ unit_budget_usd: 5, unit_budget_tokens: 100, project_budget_usd: 50 }),
      project: project(80),
      expect: { kind: 'start', max_budget_usd: null, capped_by: null },
    },
  ];
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(decideStart(row.unit, row.limits, row.project ?? null), row.expect));
  }
});

describe('projectWindow', () => {
  const window = limits({ project_budget_usd: 10 });
  it('is null without a project limit', () => {
    assert.equal(projectWindow([endedAgo(1, 5)], NONE, NOW), null);
  });
  it('sums what ended inside the window, whatever the order', () => {
    const w = projectWindow(
      [endedAgo(1, 2), endedAgo(30, 100), endedAgo(23, 3), endedAgo(2, 0)],
      window,
      NOW,
    );
    assert.deepEqual(w, { limit_usd: 10, window_hours: 24, spent_usd: 5, frees_at: null });
  });
  it('frees once enough of the oldest spend has left the window', () => {
    const w = projectWindow([endedAgo(1, 4), endedAgo(20, 6), endedAgo(10, 3)], window, NOW);
    assert.equal(w?.spent_usd, 13);
    // without the $6 of 20 hours ago, $7 is under $10: at 20 h ago + 24 h
    assert.equal(w?.frees_at, NOW + 4 * HOUR);
  });
  it('waits for as many runs as it takes', () => {
    const w = projectWindow([endedAgo(20, 1), endedAgo(18, 1), endedAgo(2, 9)], window, NOW);
    // $11: $1 leaving leaves $10 (still at the limit), the second $1 leaves $9
    assert.equal(w?.frees_at, NOW + 6 * HOUR);
  });
  it('honours another window length', () => {
    const w = projectWindow(
      [endedAgo(2, 6), endedAgo(0.5, 6)],
      limits({ project_budget_usd: 10, project_budget_window_hours: 1 }),
      NOW,
    );
    assert.deepEqual(w, { limit_usd: 10, window_hours: 1, spent_usd: 6, frees_at: null });
  });
});

describe('classifyBudgetStop', () => {
  const both = limits({ unit_budget_usd: 5, max_budget_usd: 2 });
  const projectAndCap = limits({ project_budget_usd: 50, max_budget_usd: 2 });
  // name, the unit's spend after the phase, the limits, the project's window, the outcome
  const rows: [string, UnitSpend, BudgetLimits, ProjectWindow | null, BudgetStop][] = [
    [
      'the unit’s limit reached',
      spent(5),
      both,
      null,
      { kind: 'reached', reached: { limit: 'unit_usd', spent: 5, of: 5 } },
    ],
    [
      'the project’s limit reached',
      spent(1),
      projectAndCap,
      project(51),
      { kind: 'reached', reached: { limit: 'project_usd', spent: 51, of: 50 } },
    ],
    ['only the phase cap', spent(2), both, null, { kind: 'phase', cap_usd: 2 }],
    [
      'nothing reached and no phase cap: the window moved on',
      spent(2),
      limits({ project_budget_usd: 50 }),
      project(20),
      { kind: 'continue' },
    ],
  ];
  for (const [name, unit, given, window, expect] of rows) {
    it(name, () => assert.deepEqual(classifyBudgetStop(unit, given, window), expect));
  }
});

describe('liftedLimit', () => {
  const usd = (unit_budget_usd: number | null) => limits({ unit_budget_usd });
  const cap = (max_budget_usd: number | null) => limits({ max_budget_usd });
  const tokens = (unit_budget_tokens: number, unit_budget_usd: number | null = null) =>
    limits({ unit_budget_tokens, unit_budget_usd });
  // name, the unit's spend, the limits before and after the change, the limit lifted
  const rows: [string, UnitSpend, BudgetLimits, BudgetLimits, BudgetLimit | null][] = [
    ['a unit limit raised above the spend', spent(5.2), usd(5), usd(10), 'unit_usd'],
    ['a unit limit raised a little, below the last phase’s cap', spent(5), usd(5), usd(5.05), 'unit_usd'],
    ['a unit limit removed', spent(5.2), usd(5), usd(null), 'unit_usd'],
    ['a unit limit raised, but not above the spend', spent(5.2), usd(5), usd(5.1), null],
    [
      'the USD limit raised, the tokens still over',
      spent(5.2, 900, 200),
      tokens(1000, 5),
      tokens(1000, 10),
      null,
    ],
    ['the token limit raised', spent(1, 900, 200), tokens(1000), tokens(5000), 'unit_tokens'],
    ['a phase stopped at its cap, the cap raised', spent(2), cap(2), cap(4), 'phase_usd'],
    ['a phase stopped at its cap, the cap removed', spent(2), cap(2), cap(null), 'phase_usd'],
    ['a phase stopped at its cap, the cap lowered', spent(2), cap(2), cap(1), null],
    [
      'a phase stopped at its cap, another key changed',
      spent(2),
      cap(2),
      { ...cap(2), unit_budget_usd: 100 },
      null,
    ],
  ];
  for (const [name, unit, before, after, expect] of rows) {
    it(name, () => assert.equal(liftedLimit(unit, before, after), expect));
  }
});

describe('budgetReason', () => {
  it('names the token limit, the count and the command that raises it', () => {
    assert.equal(
      budgetReason(
        { kind: 'reached', reached: { limit: 'unit_tokens', spent: 1_234_567, of: 1_000_000 } },
        'PLAN',
      ),
      'Unit token budget reached: 1,234,567 of 1,000,000 tokens (unit_budget_tokens), over all its phases and retries. No new phase starts; raising the limit resumes it on the same session: ve orch config --unit-budget-tokens 2469134',
    );
  });
  it('says what a retry of a phase stopped at its cap does', () => {
    assert.equal(
      budgetReason({ kind: 'phase', cap_usd: 0.5 }, 'REVIEW'),
      'REVIEW used its per-phase budget of $0.50 (max_budget_usd) and Claude Code stopped it. Retry continues the same session with another $0.50; raising the cap lets it go on by itself: ve orch config --max-budget-usd 1.00',
    );
  });
  it('suggests twice the limit, or twice the spend when a lowered limit left it further behind', () => {
    assert.equal(
      raiseCommand({ limit: 'project_usd', spent: 50.5, of: 50 }),
      've orch config --project-budget-usd 101.00',
    );
    assert.equal(
      raiseCommand({ limit: 'unit_usd', spent: 3, of: 1 }),
      've orch config --unit-budget-usd 6.00',
    );
  });
});
