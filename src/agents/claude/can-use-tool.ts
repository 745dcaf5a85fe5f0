/**
 * The permission point of a Claude run: the sandbox policy as both a PreToolUse hook (fires for every
 * tool, including those Claude Code approves by itself) and `canUseTool` (fires for tools that need
 * permission, and for AskUserQuestion, which is handed to the operator and really pauses the agent).
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { CanUseTool, HookCallback, PermissionResult } from '@anthropic-ai/claude-agent-sdk';
import type { QuestionItem } from '../../domain/work-unit.js';
import type { AgentEvent, PhaseObserver } from '../../ports/agent-backend.js';
import type { Logger } from '../../ports/logger.js';
import { decideToolUse, isInside, type ToolDecision } from '../sandbox.js';
import { SCRATCH_DIRS } from '../sandbox-paths.js';
import { ownCopies } from './own-copy.js';

export interface ToolGateDeps {
  worktree: string;
  hostRoot: string;
  /**
   * where a write to each absolute path would land, symlinks resolved; default: on this machine. An
   * agent on another host gets that host's answer (ports/agent-backend.ts AgentHost).
   */
  landingPaths?: (paths: readonly string[]) => Promise<string[]>;
  observer: Pick<PhaseObserver, 'signal' | 'onQuestion'>;
  emit: (event: AgentEvent) => void;
  log: Logger;
}

const WRITE_PATH_FIELD: Record<string, string> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

export function createToolGate(deps: ToolGateDeps): { canUseTool: CanUseTool; preToolUse: HookCallback } {
  const decide = async (tool: string, input: unknown): Promise<ToolDecision> => {
    const d = decideToolUse(tool, input, deps);
    if (!d.allow) return d;
    const checked = d.paths ? await decideShellPaths(d.paths, deps) : await decideSymlinks(tool, input, deps);
    // an allowed write to a hard-linked file (a shared node_modules) must not reach the other links;
    // an agent on another host (landingPaths given) has no shared node_modules of this machine's
    if (checked.allow && !deps.landingPaths)
      await ownCopies(d.paths ?? writeTargets(tool, input, deps.worktree), deps.worktree, deps.log);
    return checked;
  };
  const denied = (tool: string, reason: string) => {
    deps.log.info('tool call denied', { tool, reason });
    deps.emit({ type: 'denied', tool, reason });
  };

  const preToolUse: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse') return { continue: true };
    const d = await decide(input.tool_name, input.tool_input);
    if (d.allow) return { continue: true };
    denied(input.tool_name, d.reason);
    return {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: d.reason,
      },
    };
  };

  const canUseTool: CanUseTool = async (toolName, input, opts) => {
    if (toolName === 'AskUserQuestion') return askOperator(input, opts.toolUseID, opts.signal, deps);
    const d = await decide(toolName, input);
    if (d.allow) return { behavior: 'allow', updatedInput: input };
    denied(toolName, d.reason);
    return { behavior: 'deny', message: d.reason };
  };

  return { canUseTool, preToolUse };
}

/** Hands the question to the operator and waits; the answer goes back in `updatedInput.answers`. */
async function askOperator(
  input: Record<string, unknown>,
  toolUseID: string,
  cliSignal: AbortSignal,
  deps: ToolGateDeps,
): Promise<PermissionResult> {
  const questions = toQuestionItems(input.questions);
  deps.emit({ type: 'question', question_id: toolUseID, questions });
  try {
    const answer = await untilAborted(deps.observer.onQuestion(questions), [deps.observer.signal, cliSignal]);
    return { behavior: 'allow', updatedInput: { ...input, answers: answer.answers } };
  } catch (err) {
    deps.log.info('question not answered in this session', { question_id: toolUseID, err });
    return {
      behavior: 'deny',
      message: 'The question was handed to the operator; the session stops here and resumes with the answer.',
      interrupt: true,
    };
  }
}

/** AskUserQuestion input → our QuestionItem list, tolerating missing optional fields. */
export function toQuestionItems(raw: unknown): QuestionItem[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((q: Record<string, unknown>) => ({
    question: String(q.question ?? ''),
    ...(typeof q.header === 'string' ? { header: q.header } : {}),
    ...(typeof q.multiSelect === 'boolean' ? { multiSelect: q.multiSelect } : {}),
    options: (Array.isArray(q.options) ? q.options : []).map((o: Record<string, unknown>) => ({
      label: String(o.label ?? ''),
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
    })),
  }));
}

function untilAborted<T>(work: Promise<T>, signals: AbortSignal[]): Promise<T> {
  return new Promise<T>((ok, fail) => {
    const onAbort = () => fail(new Error('aborted while waiting for the operator'));
    if (signals.some((s) => s.aborted)) return onAbort();
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      for (const s of signals) s.removeEventListener('abort', onAbort);
    };
    work.then(
      (v) => {
        cleanup();
        ok(v);
      },
      (e) => {
        cleanup();
        fail(e);
      },
    );
  });
}

/** The path a write tool was given, as the agent wrote it; null for other tools. */
function writePathOf(tool: string, input: unknown): string | null {
  const field = WRITE_PATH_FIELD[tool];
  const target = field ? (input as Record<string, unknown> | null)?.[field] : undefined;
  return typeof target === 'string' && target !== '' ? target : null;
}

/** The file a write tool is about to write, as an absolute path (none for other tools). */
function writeTargets(tool: string, input: unknown, worktree: string): string[] {
  const target = writePathOf(tool, input);
  return target === null ? [] : [resolve(worktree, target)];
}

/** The pure policy is path-based; here a write whose target resolves (via symlinks) outside is denied. */
async function decideSymlinks(tool: string, input: unknown, deps: ToolGateDeps): Promise<ToolDecision> {
  const target = writePathOf(tool, input);
  if (target === null) return { allow: true };
  try {
    const [realWorktree, real] = (await landing(deps)([deps.worktree, resolve(deps.worktree, target)])) as [
      string,
      string,
    ];
    if (isInside(real, realWorktree)) return { allow: true };
    return {
      allow: false,
      reason: `Blocked: ${tool} to ${target} follows a symlink out of your worktree (to ${real}). Write only inside the worktree.`,
    };
  } catch (err) {
    deps.log.warn('symlink check failed', { tool, target, err });
    return { allow: false, reason: `Blocked: could not verify where ${target} leads (${String(err)}).` };
  }
}

/**
 * The places a shell command writes (redirections, `tee`, `cp` destinations, …) looked at on disk:
 * a symlink made earlier (`ln -s "$(…)" out`, whose target the string policy cannot see) must not
 * carry a later `echo > out/x` or `cp f out/` outside the worktree.
 */
async function decideShellPaths(paths: string[], deps: ToolGateDeps): Promise<ToolDecision> {
  try {
    // one round trip for everything (one ssh call when the agent runs on another host)
    const n = SCRATCH_DIRS.length;
    const [worktree, hostRoot, ...rest] = await landing(deps)([
      deps.worktree,
      deps.hostRoot,
      ...SCRATCH_DIRS,
      ...paths,
    ]);
    const real = { worktree: worktree as string, hostRoot: hostRoot as string };
    // /tmp is /private/tmp on macOS: compare real paths with real paths
    const scratch = rest.slice(0, n);
    const inScratch = (p: string) => !isInside(p, real.hostRoot) && scratch.some((d) => isInside(p, d));
    for (const [i, target] of paths.entries()) {
      const lands = rest[n + i] as string;
      if (isInside(lands, real.worktree) || inScratch(lands)) continue;
      return {
        allow: false,
        reason: `Blocked: the command writes to ${target}, which follows a symlink out of your worktree (to ${lands}). Write only inside the worktree.`,
      };
    }
    return { allow: true };
  } catch (err) {
    deps.log.warn('symlink check failed', { paths, err });
    return { allow: false, reason: `Blocked: could not verify where the command writes (${String(err)}).` };
  }
}

/** The gate's `landingPaths`, or this machine's. */
function landing(deps: ToolGateDeps): (paths: readonly string[]) => Promise<string[]> {
  return deps.landingPaths ?? ((paths) => Promise.all(paths.map((p) => realTarget(p))));
}

/** Where writing to `abs` would land: the real path of its nearest existing ancestor plus the rest. */
async function realTarget(abs: string, depth = 0): Promise<string> {
  if (depth > 40) throw new Error(`too many symlinks resolving ${abs}`);
  const rest: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    const real = await realpathIfExists(p);
    if (real !== null) return join(real, ...rest);
    const link = await readlinkIfSymlink(p); // a dangling symlink: follow it by hand
    if (link !== null) return realTarget(join(resolve(dirname(p), link), ...rest), depth + 1);
    if (p === dirname(p)) return abs;
    rest.unshift(basename(p));
  }
}

/** Probe: the real path, or null when `p` does not exist. */
async function realpathIfExists(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Probe: the link text when `p` is a symlink, else null. */
async function readlinkIfSymlink(p: string): Promise<string | null> {
  try {
    return (await lstat(p)).isSymbolicLink() ? await readlink(p) : null;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
