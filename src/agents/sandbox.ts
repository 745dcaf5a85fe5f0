/**
 * The sandbox policy (DESIGN §7, reference §7.5): may this tool call run in this worktree? PURE and
 * path-based; the backend adds the symlink check (realpath) on top. Denial reasons are shown to the
 * agent, so they say what to do instead. Bash commands are parsed as bash and walked
 * (`shell/policy.ts`). One layer of several (prompt rules, GIT_CEILING_DIRECTORIES, this policy, the
 * OS sandbox, the orchestrator's own mechanical commit); docs/security.md says what each one stops.
 */
import { posix } from 'node:path';
import {
  ALLOW,
  deny,
  isInside,
  normalizeContext,
  resolveFrom,
  type SandboxContext,
  type ToolDecision,
} from './sandbox-paths.js';
import { decideShell } from './shell/policy.js';

export { isInside, isScratch, resolveFrom, type SandboxContext, type ToolDecision } from './sandbox-paths.js';

const WRITE_TOOLS: Record<string, string> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};
const READ_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS', 'NotebookRead']);
export function decideToolUse(toolName: string, input: unknown, ctx: SandboxContext): ToolDecision {
  const c = normalizeContext(ctx);
  const fields = (input ?? {}) as Record<string, unknown>;
  const writeField = WRITE_TOOLS[toolName];
  if (writeField) return decideWrite(toolName, fields[writeField], c);
  if (READ_TOOLS.has(toolName)) return decideRead(toolName, fields.file_path ?? fields.path, c);
  if (toolName === 'Bash') {
    const command = String(fields.command ?? '');
    const d = decideShell(command, c);
    if (!d.allow) return d;
    const host = decideHostReferences(command, c);
    return host.allow ? d : host;
  }
  return ALLOW;
}

function decideWrite(tool: string, target: unknown, c: SandboxContext): ToolDecision {
  if (typeof target !== 'string' || target === '') return ALLOW; // the tool itself rejects a missing path
  const abs = resolveFrom(target, c.worktree);
  if (abs && isInside(abs, c.worktree)) return ALLOW;
  return deny(
    `Blocked: ${tool} to ${target} is outside your worktree (${c.worktree}). ` +
      'Write only inside the worktree, using paths relative to it.',
  );
}

function decideRead(tool: string, target: unknown, c: SandboxContext): ToolDecision {
  if (typeof target !== 'string' || target === '') return ALLOW;
  const abs = resolveFrom(target, c.worktree);
  // Reading the host repository outside the worktree shows stale or foreign files: point at the copy.
  if (abs && isInside(abs, c.hostRoot) && !isInside(abs, c.worktree)) {
    return deny(
      `Blocked: ${tool} of ${target} reads the host repository, not your worktree. ` +
        'Read the file through a path relative to your worktree instead.',
    );
  }
  return ALLOW;
}

/**
 * Any literal mention of the host repository that does not lie inside the worktree (which itself
 * lives inside the host repository), wherever it appears: arguments, quotes, `$(…)`.
 */
function decideHostReferences(command: string, c: SandboxContext): ToolDecision {
  const h = c.hostRoot;
  for (let at = command.indexOf(h); at !== -1; at = command.indexOf(h, at + 1)) {
    const before = at === 0 ? ' ' : (command[at - 1] as string);
    const after = command[at + h.length] ?? ' ';
    if (!/[\s'"=:(`<>;|&]/.test(before) || !/[\s/'"`;|&)<>:]/.test(after)) continue;
    const path = /^[^\s'"`;|&)<>:]*/.exec(command.slice(at))?.[0] ?? h;
    if (isInside(posix.normalize(path.replace(/\/+$/, '') || '/'), c.worktree)) continue;
    return deny(
      `Blocked: the command references the host repository (${h}). ` +
        `Work only inside your worktree (${c.worktree}) with relative paths.`,
    );
  }
  return ALLOW;
}
