/**
 * A scripted model's view of one Claude Code session, read from a Messages API request the way a
 * real model reads its context: the latest prompt ve sent (its "Operator answer", "Note from the
 * orchestrator" and "Context from the orchestrator" sections), and which of the model's own tool calls have run.
 *
 * A resumed session does not start a new user message: Claude Code appends ve's next prompt to the
 * message that carries the last tool results, so the prompt is found by its text, not its message.
 */
import type { ContentBlock, MessagesRequest, ModelReply } from '../../src/demo/scripted-model-server.js';

/** One tool call the model means to make; `key` names it so later requests can tell whether it ran. */
export interface Action {
  key: string;
  name: string;
  input: unknown;
}

export interface ToolOutcome {
  text: string;
  is_error: boolean;
}

export interface ModelSession {
  /** the latest prompt ve sent in this session (the first one, or the one a resume carried) */
  prompt: string;
  /** the "Operator answer:" that prompt starts with, when the operator answered */
  answer: string | null;
  /** the "## Note from the orchestrator" section of that prompt */
  note: string | null;
  /** the "## Context from the orchestrator" section of that prompt: why the phase is entered again */
  reentry: string | null;
  /** every prompt ve sent in this session, oldest first */
  prompts: string[];
  /** the result of the call made under `key`, once it ran (in this session, before or after a resume) */
  outcome(key: string): ToolOutcome | null;
}

/** ve's prompts always carry this section (src/agents/prompt.ts) */
const VE_PROMPT = '## Where you work';

function blocks(content: string | ContentBlock[]): ContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: { type?: string; text?: string }) => (b.type === 'text' ? (b.text ?? '') : ''))
    .join('\n');
}

/** The section of `prompt` under `heading`, up to the next `## ` heading. */
export function section(prompt: string, heading: string): string | null {
  const at = prompt.indexOf(`${heading}\n`);
  if (at < 0) return null;
  const body = prompt.slice(at + heading.length + 1);
  const end = body.search(/\n## /);
  return (end < 0 ? body : body.slice(0, end)).trim();
}

export function readSession(req: MessagesRequest): ModelSession {
  const prompts: string[] = [];
  const calls = new Map<string, string>();
  const results = new Map<string, ToolOutcome>();
  for (const m of req.messages) {
    for (const b of blocks(m.content)) {
      if (m.role === 'user' && b.type === 'text' && String(b.text).includes(VE_PROMPT)) {
        prompts.push(String(b.text));
      } else if (m.role === 'assistant' && b.type === 'tool_use') {
        const key = keyOf(String(b.id));
        if (key) calls.set(String(b.id), key);
      } else if (b.type === 'tool_result') {
        const r = b as { tool_use_id: string; content: unknown; is_error?: boolean };
        const key = calls.get(r.tool_use_id);
        if (key) results.set(key, { text: text(r.content), is_error: r.is_error === true });
      }
    }
  }
  const prompt = prompts.at(-1) ?? '';
  const answer = /^Operator answer: ([\s\S]*?)(?:\n\n## |$)/.exec(prompt)?.[1]?.trim() ?? null;
  return {
    prompt,
    answer,
    note: section(prompt, '## Note from the orchestrator'),
    reentry: section(prompt, '## Context from the orchestrator'),
    prompts,
    outcome: (key) => results.get(key) ?? null,
  };
}

let calls = 0;
/** Tool-use ids carry the action's key, so the model recognises its own calls in later requests. */
const idFor = (key: string) => `toolu_ve_${key}_${++calls}`;
const keyOf = (id: string) => /^toolu_ve_([a-z0-9_]+)_\d+$/.exec(id)?.[1] ?? null;

/**
 * The next step of a plan: the first action that has not run in this session, with `say` as the
 * text before it; once every action ran, `done` is the final message.
 */
export function proceed(
  session: ModelSession,
  plan: readonly Action[],
  done: string,
  say?: string,
): ModelReply {
  const next = plan.find((a) => session.outcome(a.key) === null);
  if (!next) return { text: done };
  return {
    ...(say ? { text: say } : {}),
    toolUses: [{ id: idFor(next.key), name: next.name, input: next.input }],
  };
}

export const bash = (key: string, command: string, description: string): Action => ({
  key,
  name: 'Bash',
  input: { command, description },
});
