/**
 * The bodies of the GOAL.md and PLAN.md templates: written by `ve chunk create`, and never evidence
 * for the conflict oracle (their words are boilerplate in every chunk).
 */

export const GOAL_TEMPLATE_BODY = `
# Goal

## Minor Goal

<!-- One paragraph: what this chunk changes and why it matters. The orchestrator shows this
     section as the chunk's summary. -->

## Success Criteria

<!-- Observable results a reviewer can check, one per bullet. -->

## Out of Scope

<!-- What this chunk deliberately leaves alone. -->
`;

export const PLAN_TEMPLATE_BODY = `
# Plan

## Approach

<!-- How the goal will be reached. The PLAN phase fills this in; a chunk whose Approach is
     still empty starts at PLAN. -->

## Steps

<!-- Numbered steps. Name each file or symbol touched on a line of its own:
     Location: src/path/file.ts#SymbolName -->

## Deviations

<!-- Where the implementation departs from this plan, and why. -->
`;
