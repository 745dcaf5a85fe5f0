/**
 * Prompt assembly (reference §7.1, DESIGN §7). PURE: the phase template text and the request in,
 * the final prompt out. Order, outermost first: the operator's answer or the orchestrator's note,
 * worktree/sandbox rules, re-entry context, prior review feedback (MUST ADDRESS), the phase body, then
 * what the orchestrator checks when the session ends (domain/exit-conditions) and the turn budget.
 */
import { OrchError } from '../domain/errors.js';
import { exitConditionsPrompt } from '../domain/exit-conditions.js';
import type { PhaseRequest } from '../ports/agent-backend.js';

/** The placeholders a `prompts/<phase>.md` template may use, as `{{name}}`. */
export type PromptVars = Record<'chunk' | 'chunk_dir' | 'worktree' | 'base_branch' | 'phase', string>;

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
  | 'maxTurns'
>;

export function promptVars(req: PromptRequest): PromptVars {
  return {
    chunk: req.chunk,
    chunk_dir: `docs/chunks/${req.chunk}`,
    worktree: req.worktree,
    base_branch: req.baseBranch,
    phase: req.phase,
  };
}

/** Replaces `{{name}}` placeholders; an unknown one is a bug in the template, so it throws. */
export function renderTemplate(template: string, vars: PromptVars): string {
  const body = template.replace(/^---\n[\s\S]*?\n---\n/, ''); // tolerate a frontmatter block
  return body.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => {
    if (!Object.hasOwn(vars, name)) {
      throw new OrchError('internal', `prompt template uses unknown placeholder ${whole}`, {
        placeholder: name,
      });
    }
    return vars[name as keyof PromptVars];
  });
}

export function buildPhasePrompt(template: string, req: PromptRequest): string {
  const sections: string[] = [];
  const answer = req.operatorAnswer?.trim();
  if (answer) sections.push(`Operator answer: ${answer}`);
  const note = req.systemNote?.trim();
  if (note) sections.push(`## Note from the orchestrator\n\n${note}`);
  sections.push(sandboxRules(req));
  const reentry = req.reentryContext?.trim();
  if (reentry) {
    sections.push(
      [
        '## Re-entry context',
        '',
        `You are re-entering the ${req.phase} phase. Here is why:`,
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
        'A reviewer sent this chunk back. Handle every issue below: fix it, or defer it with a reason in the',
        'Deviations section of PLAN.md, or dispute it with evidence. Non-functional issues (tests, naming, docs)',
        `count too. When every issue is handled, delete docs/chunks/${req.chunk}/REVIEW_FEEDBACK.md and commit.`,
        '',
        feedback,
      ].join('\n'),
    );
  }
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
