/** Prompt overrides from base: which template a phase gets, refusals, the report, the per-tip cache. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPhaseTemplate } from './prompt-files.js';
import { overrideProblem, PhasePrompts, PromptOverrideError } from './prompt-overrides.js';

/** Base as a map of commits to committed files; counts reads so the cache can be checked. */
function fakeBase(commits: Record<string, Record<string, string>>, tip: string | null) {
  const state = { tip, reads: 0 };
  const prompts = new PhasePrompts({
    base: 'main',
    files: {
      baseTip: async () => state.tip,
      read: async (commit, path) => {
        state.reads++;
        return commits[commit]?.[path] ?? null;
      },
    },
  });
  return { prompts, state };
}

const TIP = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

describe('overrideProblem', () => {
  it('accepts known placeholders and refuses unknown ones and empty files, naming what is known', () => {
    assert.equal(overrideProblem('# Plan {{chunk}} in {{ chunk_dir }}'), null);
    assert.equal(
      overrideProblem('{{chunk}} {{ticket}} {{Phase}}'),
      'uses unknown placeholders {{ticket}}, {{Phase}}; the known placeholders are {{chunk}}, {{chunk_dir}}, {{worktree}}, {{base_branch}}, {{phase}}',
    );
    assert.equal(overrideProblem(' \n\n'), 'is empty');
  });
});

describe('PhasePrompts', () => {
  it('uses the shipped template where base has no override', async () => {
    const { prompts } = fakeBase({ [TIP]: {} }, TIP);
    const t = await prompts.template('PLAN');
    assert.equal(t.text, await loadPhaseTemplate('PLAN'));
    assert.match(t.origin, /prompts\/plan\.md$/);
  });

  it("uses the team's override committed on base, and says where it came from", async () => {
    const { prompts } = fakeBase({ [TIP]: { 've/prompts/review.md': '# Our review of {{chunk}}' } }, TIP);
    assert.deepEqual(await prompts.template('REVIEW'), {
      text: '# Our review of {{chunk}}',
      origin: 've/prompts/review.md on main (a1b2c3d)',
    });
    assert.equal((await prompts.template('PLAN')).origin.endsWith('prompts/plan.md'), true);
  });

  it('refuses a broken override with the file, the placeholder and the fix; never falls back', async () => {
    const { prompts } = fakeBase({ [TIP]: { 've/prompts/plan.md': 'Plan {{ticket}}' } }, TIP);
    await assert.rejects(prompts.template('PLAN'), (e: unknown) => {
      assert.ok(e instanceof PromptOverrideError);
      assert.equal(e.file, 've/prompts/plan.md');
      assert.match(
        e.message,
        /^The project's prompt override ve\/prompts\/plan\.md on main \(a1b2c3d\) uses unknown placeholder \{\{ticket\}\}; the known placeholders are \{\{chunk\}\}.*Fix it on main, then retry/,
      );
      return true;
    });
  });

  it('reports the overrides in force and the refused ones', async () => {
    const { prompts } = fakeBase(
      { [TIP]: { 've/prompts/plan.md': 'Plan {{ticket}}', 've/prompts/goal.md': 'Goal of {{chunk}}' } },
      TIP,
    );
    assert.deepEqual(await prompts.report(), {
      base_tip: TIP,
      overrides: ['ve/prompts/goal.md'],
      problems: [
        {
          phase: 'PLAN',
          file: 've/prompts/plan.md',
          message:
            've/prompts/plan.md uses unknown placeholder {{ticket}}; the known placeholders are {{chunk}}, {{chunk_dir}}, {{worktree}}, {{base_branch}}, {{phase}}',
        },
      ],
    });
  });

  it('reads each file once per base tip, and again when base moves (a fix is picked up)', async () => {
    const fixed = 'b'.repeat(40);
    const { prompts, state } = fakeBase(
      { [TIP]: { 've/prompts/plan.md': '{{ticket}}' }, [fixed]: { 've/prompts/plan.md': 'Plan {{chunk}}' } },
      TIP,
    );
    await assert.rejects(prompts.template('PLAN'), PromptOverrideError);
    await assert.rejects(prompts.template('PLAN'), PromptOverrideError);
    assert.equal(state.reads, 1);
    state.tip = fixed;
    assert.equal((await prompts.template('PLAN')).text, 'Plan {{chunk}}');
    assert.equal(state.reads, 2);
  });

  it('uses the shipped prompts when base is not a branch yet', async () => {
    const { prompts } = fakeBase({}, null);
    assert.match((await prompts.template('GOAL')).origin, /prompts\/goal\.md$/);
    assert.deepEqual(await prompts.report(), { base_tip: null, overrides: [], problems: [] });
  });
});
