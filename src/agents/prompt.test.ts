/** Prompt assembly: section order, placeholders, and the shipped templates' obligations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PHASES } from '../domain/work-unit.js';
import type { PhaseRequest } from '../ports/agent-backend.js';
import {
  appendSystemPrompt,
  buildPhasePrompt,
  promptVars,
  renderTemplate,
  unknownPlaceholders,
} from './prompt.js';
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
  it('orders answer, sandbox rules, conventions, re-entry, feedback, previous review, body', () => {
    const p = buildPhasePrompt(
      'BODY for {{chunk}}',
      req({
        operatorAnswer: 'Option B',
        reentryContext: 'CTX',
        reviewFeedback: 'FEEDBACK',
        previousReview: { round: 1, feedback: 'ROUND FEEDBACK', answer: 'ANSWER' },
      }),
      { conventions: ['CLAUDE.md'] },
    );
    const order = [
      'Operator answer: Option B',
      '## Where you work',
      '## Project conventions',
      'CTX',
      'FEEDBACK',
      '> ROUND FEEDBACK',
      '> ANSWER',
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
    assert.doesNotMatch(
      p,
      /Operator answer|Context from the orchestrator|MUST ADDRESS|conventions|previous review/,
    );
  });

  it("points the agent at the project's convention files, naming each one present", () => {
    const one = buildPhasePrompt('BODY', req(), { conventions: ['CLAUDE.md'] });
    assert.match(one, /how it works in `CLAUDE\.md`\. Read it before you start and follow it/);
    const two = buildPhasePrompt('BODY', req(), { conventions: ['CLAUDE.md', 'AGENTS.md'] });
    assert.match(two, /in `CLAUDE\.md` and `AGENTS\.md`\. Read them/);
    assert.match(two, /those win/);
  });

  it("quotes the previous round's feedback and answer, so their headings stay inside the section", () => {
    const feedback = '# Review feedback for cache_layer (round 2)\n\n## Blocking issues\n\n1. no test';
    const p = buildPhasePrompt(
      'BODY',
      req({
        phase: 'REVIEW',
        previousReview: { round: 2, feedback, answer: 'Added the test.\n\nKept the name.' },
      }),
    );
    assert.match(p, /## The previous review round \(round 2\)/);
    assert.match(
      p,
      /> # Review feedback for cache_layer \(round 2\)\n>\n> ## Blocking issues\n>\n> 1\. no test/,
    );
    assert.match(p, /> Added the test\.\n>\n> Kept the name\./);
    assert.doesNotMatch(p, /^## Blocking issues/m);
    const silent = buildPhasePrompt(
      'BODY',
      req({ previousReview: { round: 1, feedback: 'x', answer: null } }),
    );
    assert.match(silent, /the implementer left no final message/);
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

  it('throws on an unknown placeholder, naming the known ones', () => {
    assert.throws(
      () => renderTemplate('{{chunkk}}', promptVars(req())),
      /unknown placeholder \{\{chunkk\}\}; known placeholders: \{\{chunk\}\}, \{\{chunk_dir\}\}, \{\{worktree\}\}, \{\{base_branch\}\}, \{\{phase\}\}/,
    );
  });
});

describe('unknownPlaceholders', () => {
  it('finds every {{…}} that is not a known placeholder, once each, outside the frontmatter', () => {
    const text =
      '---\ntitle: {{ignored}}\n---\n{{ chunk }} {{Chunk}} {{chunk-name}} {{}} {{ max turns }} {{Chunk}}';
    assert.deepEqual(unknownPlaceholders(text), ['Chunk', 'chunk-name', '', 'max turns']);
    assert.deepEqual(
      unknownPlaceholders('{{chunk}} {{chunk_dir}} {{worktree}} {{base_branch}} {{phase}} { x }'),
      [],
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
    const review = await text('REVIEW');
    assert.match(review, /ReviewDecision/);
    assert.match(review, /`blocking: true`/);
    assert.match(review, /`blocking: false`/);
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
