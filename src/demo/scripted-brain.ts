/**
 * The scripted "model" behind the demo and the end-to-end tests: it reads which chunk and phase a
 * Claude Code request belongs to (from our appended system prompt) and plays a fixed, realistic
 * script for that phase with real tool calls (Write, Edit, Read, Bash, AskUserQuestion, ReviewDecision).
 * It is not a language model and says so; only the model is scripted, everything else is real.
 */
import type { MessagesRequest, ModelReply } from './scripted-model-server.js';
import { isMainLoop, toolResults, userText } from './scripted-model-server.js';

export interface BrainOptions {
  /** chunks whose first review returns FEEDBACK (one FEEDBACK → IMPLEMENT loop) */
  feedbackOnce?: string[];
  /** chunks whose IMPLEMENT starts by asking the operator a two-option question */
  askInImplement?: string[];
  /** chunks whose IMPLEMENT first tries to write into the operator's repository (must be denied) */
  escapeInImplement?: string[];
}

type Step = (ctx: StepContext) => ModelReply;

interface StepContext {
  chunk: string;
  worktree: string;
  req: MessagesRequest;
}

export function systemText(req: MessagesRequest): string {
  if (typeof req.system === 'string') return req.system;
  return (req.system ?? []).map((b) => b.text).join('\n');
}

/** Which unit and phase a request belongs to, from the orchestration rules we append. */
export function requestIdentity(
  req: MessagesRequest,
): { chunk: string; phase: string; worktree: string } | null {
  const m = /chunk `([a-z][a-z0-9_-]*)`, phase ([A-Z]+)/.exec(systemText(req));
  if (!m) return null;
  const wt = /Your working directory is the git worktree of chunk `[^`]+`: (\S+)/.exec(userText(req));
  return { chunk: m[1] as string, phase: m[2] as string, worktree: wt?.[1] ?? '.' };
}

const camel = (chunk: string) => chunk.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const commit = (message: string): ModelReply => ({
  toolUses: [
    {
      name: 'Bash',
      input: {
        command: `git add -A && git commit -q -m ${JSON.stringify(message)}`,
        description: 'Commit the work',
      },
    },
  ],
});

export class ScriptedBrain {
  private readonly reviews = new Map<string, number>();

  constructor(private readonly opts: BrainOptions = {}) {}

  reply(req: MessagesRequest): ModelReply {
    if (!isMainLoop(req)) return { text: 'ok' };
    const id = requestIdentity(req);
    if (!id) return { text: 'This scripted model only knows ve orchestrator phases.' };
    const steps = this.script(id.phase, id.chunk, req);
    const step = steps[assistantTurns(req)];
    return step
      ? step({ chunk: id.chunk, worktree: id.worktree, req })
      : { text: `${id.phase} for ${id.chunk} is done.` };
  }

  private script(phase: string, chunk: string, req: MessagesRequest): Step[] {
    switch (phase) {
      case 'PLAN':
        return [
          ({ worktree }) => ({
            text: `Planning ${chunk}.`,
            toolUses: [
              {
                name: 'Write',
                input: { file_path: `${worktree}/docs/chunks/${chunk}/PLAN.md`, content: planFor(chunk) },
              },
            ],
          }),
          () => commit(`plan: ${chunk}`),
        ];
      case 'IMPLEMENT':
        return this.implement(chunk, req);
      case 'REVIEW':
        return [() => this.review(chunk)];
      case 'COMPLETE':
        return [
          ({ worktree }) => ({
            toolUses: [{ name: 'Read', input: { file_path: `${worktree}/docs/chunks/${chunk}/GOAL.md` } }],
          }),
          ({ worktree }) => ({
            toolUses: [
              {
                name: 'Edit',
                input: {
                  file_path: `${worktree}/docs/chunks/${chunk}/GOAL.md`,
                  old_string: 'status: IMPLEMENTING',
                  new_string: 'status: ACTIVE',
                },
              },
            ],
          }),
          () => commit(`complete: ${chunk}`),
        ];
      case 'REBASE': {
        const base = /into (\S+) conflicts/.exec(userText(req))?.[1] ?? 'main';
        return [
          () => ({
            toolUses: [
              {
                name: 'Bash',
                input: {
                  command: `git merge --no-edit ${base} || git merge --abort`,
                  description: `Merge ${base}`,
                },
              },
            ],
          }),
        ];
      }
      default:
        return [];
    }
  }

  private implement(chunk: string, req: MessagesRequest): Step[] {
    const file = (wt: string) => `${wt}/src/${chunk}.js`;
    if (userText(req).includes('Prior review feedback')) {
      return [
        ({ worktree }) => ({
          text: 'Addressing the review feedback.',
          toolUses: [
            { name: 'Write', input: { file_path: file(worktree), content: moduleFor(chunk, true) } },
          ],
        }),
        () => ({
          toolUses: [
            {
              name: 'Bash',
              input: {
                command: `rm -f docs/chunks/${chunk}/REVIEW_FEEDBACK.md && git add -A && git commit -q -m "address review feedback"`,
                description: 'Commit the fix',
              },
            },
          ],
        }),
      ];
    }
    const steps: Step[] = [];
    if (this.opts.escapeInImplement?.includes(chunk)) {
      const host = /operator's repository at (\S+) outside/.exec(userText(req))?.[1] ?? '/tmp';
      steps.push(() => ({
        toolUses: [
          { name: 'Write', input: { file_path: `${host}/ESCAPED-${chunk}.txt`, content: 'escaped' } },
        ],
      }));
    }
    // a session resumed with the operator's answer does not ask again
    if (this.opts.askInImplement?.includes(chunk) && !latestPrompt(req).includes('Operator answer:')) {
      steps.push(() => ({
        toolUses: [
          {
            name: 'AskUserQuestion',
            input: {
              questions: [
                {
                  question: `How should ${chunk} report failures?`,
                  header: 'Errors',
                  multiSelect: false,
                  options: [
                    { label: 'Throw', description: 'Throw an Error with a message' },
                    { label: 'Return null', description: 'Return null and let the caller decide' },
                  ],
                },
              ],
            },
          },
        ],
      }));
    }
    steps.push(
      ({ worktree, req: r }) => {
        const answered = toolResults(r).find((t) => /Return null|Throw/.test(t.text)) ?? {
          text: /Operator answer: ([^\n]*)/.exec(latestPrompt(r))?.[1] ?? '',
        };
        return {
          text: answered.text
            ? `The operator chose: ${answered.text.slice(0, 120)}`
            : `Implementing ${chunk}.`,
          toolUses: [
            { name: 'Write', input: { file_path: file(worktree), content: moduleFor(chunk, false) } },
          ],
        };
      },
      () => commit(`implement ${chunk}`),
    );
    return steps;
  }

  private review(chunk: string): ModelReply {
    const round = (this.reviews.get(chunk) ?? 0) + 1;
    this.reviews.set(chunk, round);
    const feedback = round === 1 && this.opts.feedbackOnce?.includes(chunk);
    return {
      toolUses: [
        {
          name: 'mcp__orchestrator__ReviewDecision',
          input: feedback
            ? {
                decision: 'FEEDBACK',
                summary: `${chunk}: the exported function lacks a doc comment.`,
                issues: [
                  {
                    location: `src/${chunk}.js`,
                    concern: 'No doc comment on the exported function',
                    suggestion: 'Add a one-line JSDoc',
                    blocking: true,
                  },
                ],
              }
            : { decision: 'APPROVE', summary: `${chunk} meets its success criteria.`, issues: [] },
        },
      ],
    };
  }
}

/**
 * Assistant turns since the latest prompt (a user message that is not just tool results): a resumed
 * session gets a new prompt, and the phase script starts over from there.
 */
export function assistantTurns(req: MessagesRequest): number {
  const isPrompt = (m: MessagesRequest['messages'][number]) =>
    m.role === 'user' && (typeof m.content === 'string' || !m.content.some((b) => b.type === 'tool_result'));
  let last = -1;
  req.messages.forEach((m, i) => {
    if (isPrompt(m)) last = i;
  });
  return req.messages.slice(last + 1).filter((m) => m.role === 'assistant').length;
}

export function latestPrompt(req: MessagesRequest): string {
  const prompts = req.messages.filter(
    (m) =>
      m.role === 'user' &&
      (typeof m.content === 'string' || !m.content.some((b) => b.type === 'tool_result')),
  );
  const last = prompts.at(-1);
  if (!last) return '';
  return typeof last.content === 'string'
    ? last.content
    : last.content.map((b) => (b.type === 'text' ? String(b.text) : '')).join('\n');
}

function planFor(chunk: string): string {
  return `# Plan\n\n## Approach\n\nAdd a small module \`src/${chunk}.js\` exporting \`${camel(chunk)}()\`.\n\n## Steps\n\n1. Write the module.\n   Location: src/${chunk}.js#${camel(chunk)}\n\n## Deviations\n\nNone.\n`;
}

function moduleFor(chunk: string, documented: boolean): string {
  const doc = documented ? `/** Returns the name of the chunk that created this module. */\n` : '';
  return `${doc}export function ${camel(chunk)}() {\n  return '${chunk}';\n}\n`;
}
