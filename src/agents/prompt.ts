/**
 * Prompt assembly (reference §7.1, DESIGN §7). PURE: the phase template text and the request in,
 * the final prompt out. Order, outermost first: the operator's answer or the orchestrator's note,
 * worktree/sandbox rules, the project's conventions, re-entry context, prior review feedback (MUST
 * ADDRESS), the previous review round (REVIEW), the phase body (the shipped template or the project's
 * override of it), then what the orchestrator checks when the session ends (domain/exit-conditions)
 * and the turn budget.
 */
import { OrchError } from '../domain/errors.js';
import { exitConditionsPrompt } from '../domain/exit-conditions.js';
import type { PhaseRequest } from '../ports/agent-backend.js';
import type { ReviewRound } from '../ports/review-rounds.js';

/** The placeholders a phase template may use, as `{{name}}`; any other `{{…}}` is refused. */
export const PROMPT_PLACEHOLDERS = ['chunk', 'chunk_dir', 'worktree', 'base_branch', 'phase'] as const;
export type PromptVars = Record<(typeof PROMPT_PLACEHOLDERS)[number], string>;

/** every `{{…}}` is a placeholder; the name is its trimmed content */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const FRONTMATTER = /^---\n[\s\S]*?\n---\n/;

type PromptRequest = Pick<
  PhaseRequest,
  | 'chunk'
  | 'phase'
  | 'worktree'
  | 'hostRoot'
  | 'baseBranch'
  | 'operatorAnswer'
  | 'systemNote'
  | 'reentryContext'
  | 'reviewFeedback'
  | 'previousReview'
  | 'maxTurns'
>;

/** What the backend found around the request. */
export interface PromptContext {
  /** the project's convention files at the worktree root (CLAUDE.md, AGENTS.md, …), as relative paths */
  conventions?: readonly string[];
}

export function promptVars(req: PromptRequest): PromptVars {
  return {
    chunk: req.chunk,
    chunk_dir: `docs/chunks/${req.chunk}`,
    worktree: req.worktree,
    base_branch: req.baseBranch,
    phase: req.phase,
  };
}

/** `{{chunk}}, {{chunk_dir}}, …` for error messages. */
export const knownPlaceholders = (): string => PROMPT_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');

/** The placeholders of `template` that are not known, each once, in order of appearance. */
export function unknownPlaceholders(template: string): string[] {
  const unknown = new Set<string>();
  for (const m of template.replace(FRONTMATTER, '').matchAll(PLACEHOLDER)) {
    const name = (m[1] as string).trim();
    if (!(PROMPT_PLACEHOLDERS as readonly string[]).includes(name)) unknown.add(name);
  }
  return [...unknown];
}

/** Replaces `{{name}}` placeholders; an unknown one is an error (overrides are checked before this). */
export function renderTemplate(template: string, vars: PromptVars): string {
  const body = template.replace(FRONTMATTER, ''); // tolerate a frontmatter block
  return body.replace(PLACEHOLDER, (whole, inner: string) => {
    const name = inner.trim();
    if (!Object.hasOwn(vars, name)) {
      throw new OrchError(
        'internal',
        `prompt template uses unknown placeholder ${whole}; known placeholders: ${knownPlaceholders()}`,
        { placeholder: name },
      );
    }
    return vars[name as keyof PromptVars];
  });
}

export function buildPhasePrompt(template: string, req: PromptRequest, context: PromptContext = {}): string {
  const sections: string[] = [];
  const answer = req.operatorAnswer?.trim();
  if (answer) sections.push(`Operator answer: ${answer}`);
  const note = req.systemNote?.trim();
  if (note) sections.push(`## Note from the orchestrator\n\n${note}`);
  sections.push(sandboxRules(req));
  if (context.conventions && context.conventions.length > 0) sections.push(conventions(context.conventions));
  const reentry = req.reentryContext?.trim();
  if (reentry) {
    sections.push(
      [
        '## Context from the orchestrator',
        '',
        `Why you are in the ${req.phase} phase now:`,
        '',
        reentry,
        '',
        'Address this before doing any other work.',
      ].join('\n'),
    );
  }
  const feedback = req.reviewFeedback?.trim();
  if (feedback) {
    sections.push(
      [
        '## Prior review feedback (MUST ADDRESS)',
        '',
        'A reviewer sent this chunk back. Handle every blocking issue below: fix it, or explain under',
        'Deviations in PLAN.md why not, with evidence; the next review checks each one. Non-blocking notes',
        `are yours to take or leave. Then delete docs/chunks/${req.chunk}/REVIEW_FEEDBACK.md and commit.`,
        '',
        feedback,
      ].join('\n'),
    );
  }
  if (req.previousReview) sections.push(previousRound(req.previousReview));
  sections.push(renderTemplate(template, promptVars(req)).trim());
  const exits = exitConditionsPrompt(req.phase);
  if (exits) sections.push(exits);
  sections.push(turnBudget(req.maxTurns));
  return `${sections.join('\n\n')}\n`;
}

function turnBudget(maxTurns: number): string {
  return [
    '## Your turn budget',
    '',
    `This session has ${maxTurns} turns (each model reply, with its tool calls, is one). Commit as you go:`,
    'if the budget runs out, the orchestrator resumes this session with more turns, and committed work is',
    'never lost.',
  ].join('\n');
}

function sandboxRules(req: PromptRequest): string {
  return [
    '## Where you work',
    '',
    `Your working directory is the git worktree of chunk \`${req.chunk}\`: ${req.worktree}`,
    '',
    '- Use paths relative to this directory. Do not guess absolute paths.',
    `- Never read, write or run commands in the operator's repository at ${req.hostRoot} outside this`,
    '  worktree, and never `cd` to an absolute path outside the worktree.',
    '- Run git only in this worktree: no `git -C`, `--git-dir`, `GIT_DIR` or `GIT_WORK_TREE` pointing elsewhere.',
    '- Commit only on the branch checked out here. Do not switch, create, delete or push branches.',
    '',
    'Violations are blocked and logged.',
  ].join('\n');
}

/** Claude Code loads CLAUDE.md by itself (settingSources: project); saying so makes the agent follow it. */
function conventions(files: readonly string[]): string {
  const list = files.map((f) => `\`${f}\``).join(' and ');
  const them = files.length > 1 ? 'them' : 'it';
  return [
    '## Project conventions',
    '',
    `This project writes down how it works in ${list}. Read ${them} before you start and follow ${them}`,
    'in everything you do: code style, tests and how to run them, commands, commit messages.',
    'A CLAUDE.md in a folder you work in applies there too. Where a convention contradicts the rules',
    "above or this phase's instructions (for example, pushing or switching branches), those win.",
  ].join('\n');
}

/** Each line quoted, so the round's own headings stay inside it. */
const quoted = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map((l) => (l ? `> ${l}` : '>'))
    .join('\n');

/** an implementer's final message is a summary; a longer one is cut rather than crowding the prompt */
const MAX_ANSWER = 8000;

function previousRound(r: ReviewRound): string {
  const full = r.answer?.trim();
  const answer = full && full.length > MAX_ANSWER ? `${full.slice(0, MAX_ANSWER)}\n(cut)` : full;
  return [
    `## The previous review round (round ${r.round})`,
    '',
    `Round ${r.round} of the review sent this chunk back with the feedback below, and the implementer has`,
    'worked on it since. First check each blocking issue of that round: is it fixed, or does the',
    "implementer's reason for leaving it hold? Then review the whole change as usual. Do not raise again",
    'what was handled.',
    '',
    `### Feedback of round ${r.round}`,
    '',
    quoted(r.feedback),
    '',
    "### The implementer's answer (its final message after working on that feedback)",
    '',
    answer ? quoted(answer) : '(the implementer left no final message: judge by the change itself)',
  ].join('\n');
}

/** Our orchestration rules, appended to Claude Code's own system prompt. */
export function appendSystemPrompt(req: Pick<PhaseRequest, 'chunk' | 'phase' | 'worktree'>): string {
  return [
    `You are running unattended inside the ve orchestrator: chunk \`${req.chunk}\`, phase ${req.phase}.`,
    `Your working directory is a dedicated git worktree (${req.worktree}); keep every change inside it.`,
    'Nobody watches this session live. When only the operator can decide something (intent, scope, a',
    'trade-off you cannot settle from the documents), ask with the AskUserQuestion tool and concrete options;',
    'the session waits for the answer. Do not guess on questions of intent.',
    'Commit your work with git in the worktree, on the current branch, with messages that say why.',
    'Do only what this phase asks, then finish with a short summary of what you did.',
  ].join('\n');
}
