/**
 * Realistic chunk documents for oracle tests and benches: GOAL.md/PLAN.md as an agent leaves them,
 * template headings and hint comments still in place, written to a repo's docs/chunks/<name>/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_TEMPLATE_BODY } from '../../src/domain/chunk-templates.js';

export interface GoalSpec {
  status?: string;
  code_paths?: string[];
  code_references?: string[];
  depends_on?: string[] | null;
  /** the `## Minor Goal` paragraph */
  goal: string;
  criteria?: string[];
  outOfScope?: string;
}

export interface PlanSpec {
  approach: string;
  /** one step per entry; write `Location:` lines inside as an agent would */
  steps: string[];
  deviations?: string;
}

const yamlList = (items: string[] | null | undefined) =>
  items === null
    ? ' null'
    : !items || items.length === 0
      ? ' []'
      : `\n${items.map((i) => `  - ${i}`).join('\n')}`;

export function goalMarkdown(g: GoalSpec): string {
  return `---
status: ${g.status ?? 'FUTURE'}
ticket: null
depends_on:${yamlList(g.depends_on === undefined ? null : g.depends_on)}
code_paths:${yamlList(g.code_paths)}
code_references:${yamlList(g.code_references)}
---

# Goal

## Minor Goal

<!-- One paragraph: what this chunk changes and why it matters. The orchestrator shows this
     section as the chunk's summary. -->

${g.goal}

## Success Criteria

<!-- Observable results a reviewer can check, one per bullet. -->

${(g.criteria ?? []).map((c) => `- ${c}`).join('\n')}

## Out of Scope

<!-- What this chunk deliberately leaves alone. -->

${g.outOfScope ?? ''}
`;
}

/** The PLAN.md template exactly as `ve chunk create` writes it (no plan yet). */
export const TEMPLATE_PLAN = PLAN_TEMPLATE_BODY.trimStart();

export function planMarkdown(p: PlanSpec): string {
  return `# Plan

## Approach

<!-- How the goal will be reached. The PLAN phase fills this in; a chunk whose Approach is
     still empty starts at PLAN. -->

${p.approach}

## Steps

<!-- Numbered steps. Name each file or symbol touched on a line of its own:
     Location: src/path/file.ts#SymbolName -->

${p.steps.map((s, i) => `${i + 1}. ${s}`).join('\n\n')}

## Deviations

<!-- Where the implementation departs from this plan, and why. -->

${p.deviations ?? ''}
`;
}

/** Writes docs/chunks/<name>/GOAL.md and PLAN.md under `root` (template PLAN when `plan` is null). */
export function writeChunk(root: string, name: string, goal: GoalSpec, plan: PlanSpec | null): string {
  const dir = join(root, 'docs', 'chunks', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'GOAL.md'), goalMarkdown(goal));
  writeFileSync(join(dir, 'PLAN.md'), plan ? planMarkdown(plan) : TEMPLATE_PLAN);
  return dir;
}
