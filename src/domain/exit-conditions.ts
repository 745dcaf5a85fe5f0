/**
 * What each phase must leave behind (issue 11 §1). One list per phase serves both ends: the prompt
 * states exactly these conditions (`exitConditionsPrompt`), and the runner checks exactly these
 * (`unmetExitConditions`), so the two cannot drift. PURE: the runner gathers the facts.
 */
import { POST_IMPLEMENTING, planHasContent } from './chunk-doc.js';
import type { Phase } from './work-unit.js';

/** What the runner reads from the worktree when an agent phase ends. */
export interface PhaseFacts {
  chunk: string;
  /** commits the branch gained during this phase (ve's own commit of leftovers included) */
  newCommits: number;
  /** files the phase changed, committed (relative paths) */
  changedFiles: string[];
  /** uncommitted changes still in the worktree, ignored files excluded */
  dirty: string[];
  /** PLAN.md as committed, null when there is none */
  plan: string | null;
  /** GOAL.md's frontmatter as committed: its status, or why it does not parse (naming the file) */
  goal: { status: string | null; error: string | null } | null;
}

export interface ExitCondition {
  id: string;
  /** the condition as the prompt states it */
  statement: string;
  /** what is missing, said to the agent in the nudge (and to the operator after the last one); null when met */
  missing(facts: PhaseFacts): string | null;
}

const chunkDir = (f: PhaseFacts) => `docs/chunks/${f.chunk}`;

const clean: ExitCondition = {
  id: 'clean',
  statement: 'Everything you changed is committed: `git status` shows a clean tree (ignored files aside).',
  missing: (f) =>
    f.dirty.length === 0 ? null : `uncommitted changes are left in: ${f.dirty.slice(0, 10).join(', ')}`,
};

const CONDITIONS: Partial<Record<Phase, readonly ExitCondition[]>> = {
  PLAN: [
    {
      id: 'approach',
      statement:
        'PLAN.md has a written `## Approach` section (your own text, not the template comment), committed.',
      missing: (f) =>
        planHasContent(f.plan)
          ? null
          : `${chunkDir(f)}/PLAN.md has no written \`## Approach\` section as committed: write how the goal will be reached under that heading and commit it`,
    },
    clean,
  ],
  IMPLEMENT: [
    {
      id: 'change',
      statement: 'The branch has your change for this round, committed (not only the chunk documents).',
      missing: (f) =>
        f.newCommits > 0 && f.changedFiles.some((p) => !p.startsWith(`${chunkDir(f)}/`))
          ? null
          : 'this IMPLEMENT round changed no file outside the chunk documents: implement the plan (or the fix asked for) and commit it',
    },
    clean,
  ],
  REBASE: [clean],
  COMPLETE: [
    {
      id: 'goal',
      statement: `GOAL.md's frontmatter is valid YAML and its \`status\` is one of ${POST_IMPLEMENTING.join(', ')}, committed.`,
      missing: (f) => {
        if (f.goal === null) return `${chunkDir(f)}/GOAL.md is missing`;
        if (f.goal.error !== null) return `${f.goal.error}. Fix the YAML (keep every field) and commit`;
        const status = f.goal.status?.toUpperCase() ?? null;
        if (status !== null && (POST_IMPLEMENTING as readonly string[]).includes(status)) return null;
        return `${chunkDir(f)}/GOAL.md says status: ${f.goal.status ?? '(none)'}; set it to ${POST_IMPLEMENTING.join(', ')} (usually ACTIVE) and commit`;
      },
    },
    clean,
  ],
};

export function exitConditions(phase: Phase): readonly ExitCondition[] {
  return CONDITIONS[phase] ?? [];
}

/** The conditions this phase's facts do not meet, each with what is missing. */
export function unmetExitConditions(phase: Phase, facts: PhaseFacts): { id: string; missing: string }[] {
  const out: { id: string; missing: string }[] = [];
  for (const c of exitConditions(phase)) {
    const missing = c.missing(facts);
    if (missing !== null) out.push({ id: c.id, missing });
  }
  return out;
}

/** The prompt's section stating the conditions the orchestrator will check; empty when it checks none. */
export function exitConditionsPrompt(phase: Phase): string {
  const list = exitConditions(phase);
  if (list.length === 0) return '';
  return [
    '## Before you finish',
    '',
    'The orchestrator checks these when your session ends, and sends you back if one is not met:',
    '',
    ...list.map((c) => `- ${c.statement}`),
  ].join('\n');
}

/** The message that resumes the session when conditions are unmet. */
export function exitNudge(phase: Phase, unmet: readonly { missing: string }[]): string {
  return [
    `Your ${phase} session ended, but the orchestrator's checks are not met yet:`,
    '',
    ...unmet.map((u) => `- ${u.missing}`),
    '',
    'Do what is missing now, then finish.',
  ].join('\n');
}
