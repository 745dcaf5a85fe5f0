/** Prompt assembly: section order, placeholders, and the shipped templates' obligations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PHASES } from '../domain/work-unit.js';
import type { PhaseRequest } from '../ports/agent-backend.js';
import { appendSystemPrompt, buildPhasePrompt, promptVars, renderTemplate } from './prompt.js';
import { loadPhaseTemplate, shippedPromptsDir } from './prompt-files.js';

const req = (over: Partial<PhaseRequest> = {}): PhaseRequest => ({
  chunk: 'cache_layer',
  phase: 'IMPLEMENT',
  worktree: '/repo/.ve/chunks/cache_layer/worktree',
  hostRoot: '/repo',
  baseBranch: 'trunk',
  resumeSessionId: null,
  operatorAnswer: null,
  systemNote: null,
  reentryContext: null,
  reviewFeedback: null,
  maxTurns: 10,
  maxBudgetUsd: null,
  model: null,
  osSandbox: 'off',
  ...over,
});

describe('buildPhasePrompt', () => {
  it('orders answer, sandbox rules, re-entry, feedback, body', () => {
    const p = buildPhasePrompt(
      'BODY for {{chunk}}',
      req({ operatorAnswer: 'Option B', reentryContext: 'CTX', reviewFeedback: 'FEEDBACK' }),
    );
    const order = [
      'Operator answer: Option B',
      '## Where you work',
      'CTX',
      'FEEDBACK',
      'BODY for cache_layer',
    ];
    const positions = order.map((s) => p.indexOf(s));
    assert.ok(
      positions.every((x) => x >= 0),
      JSON.stringify(positions),
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
    assert.equal(positions[0], 0);
  });

  it('leaves out empty sections', () => {
    const p = buildPhasePrompt(
      'BODY',
      req({ operatorAnswer: '  ', reentryContext: null, reviewFeedback: '' }),
    );
    assert.ok(p.startsWith('## Where you work'));
    assert.doesNotMatch(p, /Operator answer|Re-entry|MUST ADDRESS/);
  });

  it('names the worktree and the host repository in the sandbox rules', () => {
    const p = buildPhasePrompt('BODY', req());
    assert.match(p, /worktree of chunk `cache_layer`: \/repo\/\.ve\/chunks\/cache_layer\/worktree/);
    assert.match(p, /repository at \/repo outside/);
  });

  it('points review feedback at the chunk’s REVIEW_FEEDBACK.md', () => {
    assert.match(
      buildPhasePrompt('B', req({ reviewFeedback: 'x' })),
      /delete docs\/chunks\/cache_layer\/REVIEW_FEEDBACK\.md/,
    );
  });
});

describe('renderTemplate', () => {
  it('fills every placeholder and strips a frontmatter block', () => {
    const out = renderTemplate(
      '---\nname: x\n---\n{{chunk}} {{ chunk_dir }} {{worktree}} {{base_branch}} {{phase}}',
      promptVars(req()),
    );
    assert.equal(
      out,
      'cache_layer docs/chunks/cache_layer /repo/.ve/chunks/cache_layer/worktree trunk IMPLEMENT',
    );
  });

  it('throws on an unknown placeholder', () => {
    assert.throws(
      () => renderTemplate('{{chunkk}}', promptVars(req())),
      /unknown placeholder \{\{chunkk\}\}/,
    );
  });
});

describe('shipped phase templates', () => {
  it('exist for every phase, render, and name the chunk paths', async () => {
    assert.match(shippedPromptsDir(), /prompts$/);
    for (const phase of PHASES) {
      const text = buildPhasePrompt(await loadPhaseTemplate(phase), req({ phase }));
      assert.match(text, /docs\/chunks\/cache_layer\/GOAL\.md/, phase);
      assert.doesNotMatch(text, /\{\{/, phase);
    }
  });

  it('REBASE merges the base branch named in the request, not a fixed one', async () => {
    const text = renderTemplate(await loadPhaseTemplate('REBASE'), promptVars(req()));
    assert.match(text, /git merge trunk/);
    assert.doesNotMatch(text, /\bmain\b/);
  });

  it('REVIEW asks for the ReviewDecision tool; IMPLEMENT keeps GOAL status; COMPLETE sets it', async () => {
    const text = async (phase: PhaseRequest['phase']) =>
      renderTemplate(await loadPhaseTemplate(phase), promptVars(req()));
    assert.match(await text('REVIEW'), /ReviewDecision/);
    assert.match(await text('IMPLEMENT'), /Do \*\*not\*\* change the `status` field/);
    const complete = await text('COMPLETE');
    assert.match(complete, /`ACTIVE`/);
    assert.match(complete, /code_references/);
  });
});

describe('appendSystemPrompt', () => {
  it('names the chunk, phase and worktree', () => {
    const s = appendSystemPrompt(req({ phase: 'PLAN' }));
    assert.match(s, /chunk `cache_layer`, phase PLAN/);
    assert.match(s, /\/repo\/\.ve\/chunks\/cache_layer\/worktree/);
  });
});
