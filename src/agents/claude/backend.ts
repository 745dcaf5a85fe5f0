/**
 * ClaudeAgentBackend: runs one phase of one unit as a Claude Code session through the Claude Agent
 * SDK (DESIGN §7): prompt in, normalized events out, the sandbox at every tool call, questions to the
 * operator, guidance into the live session, and a PhaseOutcome at the end.
 */

import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Options, SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { withVariables } from '../../domain/package-caches.js';
import type { Phase } from '../../domain/work-unit.js';
import type {
  AgentBackend,
  AgentEvent,
  PhaseObserver,
  PhaseOutcome,
  PhaseRequest,
  ReviewDecision,
} from '../../ports/agent-backend.js';
import type { Logger } from '../../ports/logger.js';
import { appendSystemPrompt, buildPhasePrompt } from '../prompt.js';
import { conventionFiles, loadPhaseTemplate } from '../prompt-files.js';
import { type PhaseTemplate, PromptOverrideError } from '../prompt-overrides.js';
import { createToolGate } from './can-use-tool.js';
import { classifyFailure } from './failures.js';
import { sessionIdOf, toAgentEvents, usageOf } from './messages.js';
import {
  agentGitConfig,
  gitWriteDirsOf,
  osSandboxUnavailable,
  sandboxHoldReason,
  sandboxOption,
  sandboxSessionEnv,
  writeAgentExcludes,
} from './os-sandbox.js';
import { createReviewServer, REVIEW_SERVER_NAME, REVIEW_TOOL_FULL_NAME } from './review-tool.js';
import { UserInput } from './user-input.js';

export interface ClaudeAgentBackendOptions {
  /** the Claude Code CLI to run; default: the binary the SDK ships for this platform */
  pathToClaudeCodeExecutable?: string;
  /**
   * added to the daemon's environment for every session (the package caches); a name here also
   * replaces an inherited variable spelled in another case
   */
  env?: Record<string, string>;
  /** folders shell commands may write in the OS sandbox besides the worktree (the package caches) */
  sandboxWritable?: readonly string[];
  log: Logger;
  /**
   * @default 'default' — Claude Code then asks `canUseTool` for every write and non-read-only command.
   * 'acceptEdits' skips that for edits inside the worktree; the PreToolUse hook enforces the sandbox
   * either way. Modes that skip or refuse all prompts are not offered.
   */
  permissionMode?: 'default' | 'acceptEdits';
  /**
   * the template a phase runs with (the project's override on base, or the shipped one); a refused
   * override (PromptOverrideError) fails the phase with code `prompt`. Default: the shipped prompts/
   */
  templates?: (phase: Phase) => Promise<PhaseTemplate>;
  /** epoch ms; used to turn "resets 3pm" into a retry time. @default Date.now */
  now?: () => number;
}

/** Inherited variables that would point git in the session at another repository. */
const GIT_LOCATION_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
];
/**
 * Where bash lives: Claude Code runs agents' commands in CLAUDE_CODE_SHELL, else $SHELL if bash or
 * zsh, and the sandbox policy parses bash. Newer builds first (macOS's /bin/bash is 3.2).
 */
const BASH_PATHS = ['/opt/homebrew/bin/bash', '/usr/local/bin/bash', '/usr/bin/bash', '/bin/bash'];
const STDERR_TAIL = 4000;

type AgentSdk = typeof import('@anthropic-ai/claude-agent-sdk');
let agentSdk: Promise<AgentSdk> | null = null;
/** The SDK is the largest module in the daemon's graph: loaded on the first phase, off the start path. */
const loadAgentSdk = (): Promise<AgentSdk> => {
  agentSdk ??= import('@anthropic-ai/claude-agent-sdk');
  return agentSdk;
};

export class ClaudeAgentBackend implements AgentBackend {
  readonly name = 'claude';
  private readonly warnedNoSandbox = new Set<string>();
  private readonly excludesFiles = new Map<string, string>();
  constructor(private readonly opts: ClaudeAgentBackendOptions) {}

  async runPhase(req: PhaseRequest, observer: PhaseObserver): Promise<PhaseOutcome> {
    const log = this.opts.log.child({ chunk: req.chunk, phase: req.phase, backend: this.name });
    if (observer.signal.aborted)
      return { kind: 'aborted', session_id: req.resumeSessionId, usage: usageOf(null) };
    let template: PhaseTemplate;
    try {
      template = await this.template(req.phase);
    } catch (e) {
      if (!(e instanceof PromptOverrideError)) throw e;
      log.error('phase prompt override refused', { file: e.file, error: e.message });
      const failure = { code: 'prompt' as const, message: e.message, retryable: false };
      return { kind: 'failed', session_id: req.resumeSessionId, usage: usageOf(null), failure };
    }
    const sdk = await loadAgentSdk();
    const run = new RunRecord(req.resumeSessionId);
    const emit = (event: AgentEvent) => {
      try {
        observer.onEvent(event);
      } catch (err) {
        log.error('observer.onEvent threw; event dropped', {
          session: run.sessionId,
          event: event.type,
          err,
        });
      }
    };

    const input = new UserInput();
    input.push(buildPhasePrompt(template.text, req, { conventions: conventionFiles(req.worktree) }));
    const stopGuidance = observer.onGuidance((text) => {
      if (input.push(text)) emit({ type: 'guidance', text });
      else log.warn('guidance arrived after the session ended; not delivered', { session: run.sessionId });
    });
    const abort = new AbortController();
    const onAbort = () => abort.abort(observer.signal.reason);
    observer.signal.addEventListener('abort', onAbort, { once: true });
    if (observer.signal.aborted) onAbort(); // fired while the template was loading

    const sandboxed = await this.useOsSandbox(req, log);
    log.info('phase session starting', {
      session: req.resumeSessionId,
      worktree: req.worktree,
      sandboxed,
      prompt: template.origin,
      ...(req.host ? { host: req.host.name } : {}),
    });
    // Claude Code's temporary files per session: concurrent sessions otherwise share /tmp/claude-<uid>,
    // and one's sandbox set-up read files another deleted (its settings file, among others)
    const tmpDir = await mkdtemp(join(tmpdir(), 've-cc-'));
    try {
      const q = sdk.query({
        prompt: input,
        options: this.options(sdk, req, { sandboxed, observer, run, emit, abort, log, tmpDir }),
      });
      for await (const msg of q) {
        run.see(msg, abort.signal.aborted);
        for (const event of toAgentEvents(msg)) emit(event);
        // end the input after the turn's result, unless queued guidance makes another turn follow
        if (msg.type === 'result' && !((msg.queued_turn_count ?? 0) > 0)) input.end();
      }
    } catch (err) {
      // the SDK throws after an is_error result, on a crash and on abort; the last result is kept
      run.thrown = err instanceof Error ? err.message : String(err);
      log.info('phase session ended with an exception', { session: run.sessionId, err: run.thrown });
    } finally {
      stopGuidance();
      input.end();
      observer.signal.removeEventListener('abort', onAbort);
      await rm(tmpDir, { recursive: true, force: true });
    }
    const outcome = this.outcome(run, observer.signal.aborted);
    log.info('phase session finished', {
      session: run.sessionId,
      outcome: outcome.kind,
      usage: outcome.usage,
    });
    return outcome;
  }

  private async template(phase: Phase): Promise<PhaseTemplate> {
    if (this.opts.templates) return this.opts.templates(phase);
    return { text: await loadPhaseTemplate(phase), origin: 'shipped' };
  }

  /** Why phases must not start under this `agent_sandbox` mode here (the scheduler holds them), or null. */
  async holdReason(mode: PhaseRequest['osSandbox']): Promise<string | null> {
    return sandboxHoldReason(mode, mode === 'off' ? null : await osSandboxUnavailable());
  }

  /**
   * Whether this phase's shell commands run in the OS sandbox (of the machine the agent runs on).
   * Unless it is `off`, the sandbox is required: where it cannot run, Claude Code refuses to start and
   * nothing runs unconfined (the scheduler does not start such phases, nor place units on such a
   * host, in the first place).
   */
  private async useOsSandbox(req: PhaseRequest, log: Logger): Promise<boolean> {
    if (req.osSandbox === 'off') return false;
    const hold = req.host
      ? sandboxHoldReason(req.osSandbox, req.host.osSandboxUnavailable)
      : await this.holdReason(req.osSandbox);
    const where = req.host?.name ?? 'local';
    if (hold && !this.warnedNoSandbox.has(where)) {
      this.warnedNoSandbox.add(where);
      log.warn('no OS sandbox for agent shell commands; the phase is refused', { host: where, reason: hold });
    }
    return true;
  }

  private bashPath: string | null | undefined;
  /** the shell agents' commands run in, found once: the one the sandbox policy reads */
  private bash(): string | null {
    this.bashPath ??= BASH_PATHS.find((p) => existsSync(p)) ?? null;
    return this.bashPath;
  }

  /** the OS sandbox's settings; the extra writable folders must exist for it to mount them */
  private sandbox(req: PhaseRequest): NonNullable<Options['sandbox']> {
    // on another host: its own git directories; this machine's package caches mean nothing there
    if (req.host)
      return sandboxOption(req.worktree, true, [], gitWriteDirsOf(req.host.gitDir, req.host.commonDir));
    const extra = this.opts.sandboxWritable ?? [];
    for (const dir of extra) mkdirSync(dir, { recursive: true });
    return sandboxOption(req.worktree, true, extra);
  }

  /** the excludes file sandboxed git reads, written once per project */
  private excludesFile(hostRoot: string): string {
    let file = this.excludesFiles.get(hostRoot);
    if (!file) {
      file = writeAgentExcludes(join(hostRoot, '.ve'));
      this.excludesFiles.set(hostRoot, file);
    }
    return file;
  }

  private options(sdk: AgentSdk, req: PhaseRequest, session: SessionContext): Options {
    const { sandboxed, observer, run, emit, abort, log } = session;
    const host = req.host;
    const env = childEnv(process.env, this.opts.env ?? {}, req, {
      excludesFile: sandboxed ? (host ? host.excludesFile : this.excludesFile(req.hostRoot)) : null,
      // a host's bash: Debian and its kin have it at /bin/bash (docs/hosts.md, what a host needs)
      bash: host ? '/bin/bash' : this.bash(),
    });
    const gate = createToolGate({
      worktree: req.worktree,
      hostRoot: req.hostRoot,
      observer,
      emit,
      log,
      ...(host ? { landingPaths: host.landingPaths } : {}),
    });
    const review =
      req.phase === 'REVIEW'
        ? {
            mcpServers: { [REVIEW_SERVER_NAME]: createReviewServer(sdk, (d) => run.recordReview(d)) },
            allowedTools: [REVIEW_TOOL_FULL_NAME],
          }
        : {};
    return {
      cwd: req.worktree,
      abortController: abort,
      systemPrompt: { type: 'preset', preset: 'claude_code', append: appendSystemPrompt(req) },
      settingSources: ['project'],
      maxTurns: req.maxTurns,
      ...(req.maxBudgetUsd !== null ? { maxBudgetUsd: req.maxBudgetUsd } : {}),
      ...(req.model ? { model: req.model } : {}),
      ...(req.resumeSessionId ? { resume: req.resumeSessionId } : {}),
      env: {
        ...env,
        CLAUDE_CODE_TMPDIR: host ? host.tmpDir : session.tmpDir,
        // ve's bubblewrap stand-in is on this machine only; a host runs its own bubblewrap
        ...(sandboxed && !host ? sandboxSessionEnv(req.worktree, env.PATH) : {}),
      },
      ...(sandboxed ? { sandbox: this.sandbox(req) } : {}),
      // on another host: Claude Code starts there, over ssh (its stderr does not reach the SDK)
      ...(host ? { spawnClaudeCodeProcess: (o) => host.spawn(o, (text) => run.stderr(text)) } : {}),
      permissionMode: this.opts.permissionMode ?? 'default',
      canUseTool: gate.canUseTool,
      hooks: { PreToolUse: [{ hooks: [gate.preToolUse] }] },
      stderr: (text) => run.stderr(text),
      ...(this.opts.pathToClaudeCodeExecutable
        ? { pathToClaudeCodeExecutable: this.opts.pathToClaudeCodeExecutable }
        : {}),
      ...review,
    };
  }

  private outcome(run: RunRecord, aborted: boolean): PhaseOutcome {
    const usage = usageOf(run.lastResult);
    const session_id = run.sessionId;
    const result = run.lastResult;
    // a turn that finished before the abort stands even if the process was still shutting down; one
    // that finished after it does not: its pending tools were refused and the model wrapped up
    if (result && !result.is_error && !run.resultAfterAbort) {
      const result_text = result.subtype === 'success' ? result.result : null;
      return { kind: 'completed', session_id, usage, review: run.review, result_text };
    }
    if (aborted) return { kind: 'aborted', session_id, usage };
    const failure = classifyFailure(
      {
        result: result && {
          subtype: result.subtype,
          is_error: result.is_error,
          ...(result.subtype === 'success' ? { result: result.result } : { errors: result.errors }),
        },
        assistantError: run.assistantError,
        thrown: run.thrown,
        stderr: run.stderrTail,
      },
      (this.opts.now ?? Date.now)(),
    );
    return { kind: 'failed', session_id, usage, failure };
  }
}

/** What `options` needs besides the request: the session's own state and channels. */
interface SessionContext {
  sandboxed: boolean;
  observer: PhaseObserver;
  run: RunRecord;
  emit: (e: AgentEvent) => void;
  abort: AbortController;
  log: Logger;
  /** Claude Code's CLAUDE_CODE_TMPDIR for this session, removed when it ends */
  tmpDir: string;
}

/** What one session showed us, accumulated message by message. */
class RunRecord {
  lastResult: SDKResultMessage | null = null;
  resultAfterAbort = false;
  assistantError: string | null = null;
  review: ReviewDecision | null = null;
  thrown: string | null = null;
  stderrTail = '';
  constructor(public sessionId: string | null) {}

  see(msg: SDKMessage, aborted: boolean): void {
    this.sessionId = sessionIdOf(msg) ?? this.sessionId;
    if (msg.type === 'result') {
      this.lastResult = msg;
      this.resultAfterAbort = aborted;
    }
    if (msg.type === 'assistant' && msg.error) this.assistantError = msg.error;
  }

  stderr(text: string): void {
    this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
  }

  /** the last decision wins: a reviewer may correct itself */
  recordReview(d: ReviewDecision): void {
    this.review = d;
  }
}

/**
 * The session's environment. The SDK replaces the child's env rather than merging, so the daemon's
 * env is the base. Git location variables are dropped (a daemon started from a git hook would
 * otherwise aim the agent at the host repo), and GIT_CEILING_DIRECTORIES stops git's upward search
 * at the worktree, so a `cd ..` out of it does not find the host repository (the worktree lives
 * inside it, at .ve/chunks/<c>/worktree).
 */
export function childEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string>,
  req: Pick<PhaseRequest, 'worktree' | 'hostRoot'>,
  opts: { excludesFile?: string | null; bash?: string | null } = {},
): Record<string, string | undefined> {
  const env = withVariables(base, extra);
  for (const v of GIT_LOCATION_VARS) delete env[v];
  // an inherited CDPATH would send `cd src` somewhere the sandbox policy does not look
  delete env.CDPATH;
  // the policy reads commands as bash: run them in bash (zsh reads some text differently)
  if (opts.bash && !env.CLAUDE_CODE_SHELL?.includes('bash')) env.CLAUDE_CODE_SHELL = opts.bash;
  const ceilings = [req.hostRoot, dirname(req.worktree), env.GIT_CEILING_DIRECTORIES].filter(
    (p): p is string => Boolean(p),
  );
  env.GIT_CEILING_DIRECTORIES = [...new Set(ceilings)].join(':');
  agentGitConfig(env, opts.excludesFile ?? null);
  return env;
}
