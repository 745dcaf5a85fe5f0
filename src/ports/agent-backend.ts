/**
 * The agent port: runs one phase of one unit in its worktree and reports how it ended. The Claude
 * Agent SDK backend is the default (agents/claude); tests use FakeAgentBackend or the SDK driving a
 * fake Claude CLI. Prompt assembly belongs to the backend side (agents/prompt.ts).
 */
import type { Phase, QuestionItem } from '../domain/work-unit.js';
import type { ClaudeSpawn } from './hosts.js';
import type { ReviewRound } from './review-rounds.js';

/**
 * Where the agent runs when that is not the daemon's machine (docs/hosts.md): a host reached over
 * ssh. The request's `worktree` and `hostRoot` are then paths on that host.
 */
export interface AgentHost {
  name: string;
  /** starts Claude Code there, as the SDK's `spawnClaudeCodeProcess`; its stderr goes to the callback */
  spawn: ClaudeSpawn;
  /** the worktree's git dir and the repository's common dir there (what a commit writes) */
  gitDir: string;
  commonDir: string;
  /** the excludes file sandboxed git reads there */
  excludesFile: string;
  /** Claude Code's temporary files there, one folder per unit (CLAUDE_CODE_TMPDIR) */
  tmpDir: string;
  /** null when the OS sandbox can run there, else why not */
  osSandboxUnavailable: string | null;
  /** where a write to each absolute path would land there, symlinks resolved */
  landingPaths(paths: readonly string[]): Promise<string[]>;
}

export interface PhaseRequest {
  chunk: string;
  phase: Phase;
  /** absolute path of the unit's worktree: the agent's cwd and the sandbox boundary */
  worktree: string;
  /** the operator's repository (agents must never write there) */
  hostRoot: string;
  baseBranch: string;
  /** session to resume (after a question, a transient error, a restart) */
  resumeSessionId: string | null;
  /** the operator's answer, placed first in the prompt as such */
  operatorAnswer: string | null;
  /** a note from the orchestrator for a resumed session (a reminder, "continue"): never labelled an operator answer */
  systemNote: string | null;
  /** why the unit is back in this phase (IMPLEMENT after review, REBASE after a conflict) */
  reentryContext: string | null;
  /** contents of REVIEW_FEEDBACK.md for IMPLEMENT, if any */
  reviewFeedback: string | null;
  /** for REVIEW after a round of feedback: that feedback and the implementer's answer to it */
  previousReview?: ReviewRound | null;
  maxTurns: number;
  maxBudgetUsd: number | null;
  model: string | null;
  /**
   * the OS sandbox under shell commands: 'auto' uses it where it can run, 'on' fails the phase where it
   * cannot, 'off' leaves only the tool-level policy
   */
  osSandbox: 'auto' | 'on' | 'off';
  /** set when the agent runs on another host; absent: the daemon's machine, as always */
  host?: AgentHost;
}

/** Normalized agent events, written one per line to `.ve/chunks/<c>/log/<phase>.jsonl`. */
export type AgentEvent =
  | { type: 'session'; session_id: string; model?: string }
  | { type: 'text'; text: string }
  | { type: 'tool_call'; tool_id: string; name: string; input: unknown; description?: string }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error: boolean }
  | { type: 'denied'; tool: string; reason: string }
  | { type: 'question'; question_id: string; questions: QuestionItem[] }
  | { type: 'guidance'; text: string }
  | {
      type: 'result';
      subtype: string;
      is_error: boolean;
      num_turns: number;
      total_cost_usd: number;
      duration_ms: number;
      session_id: string | null;
      result_text: string | null;
    };

/** One finding of a review. */
export interface ReviewIssue {
  location?: string;
  concern: string;
  suggestion?: string;
  /**
   * true: it must be fixed before the chunk lands, so it starts another IMPLEMENT round; false: a
   * note the implementer may take or leave (it never starts a round on its own)
   */
  blocking: boolean;
}

export interface ReviewDecision {
  decision: 'APPROVE' | 'FEEDBACK' | 'ESCALATE';
  summary: string;
  issues: ReviewIssue[];
  reason?: string;
}

export interface Usage {
  cost_usd: number;
  tokens_in: number;
  tokens_out: number;
}

export type AgentFailureCode =
  | 'auth'
  | 'rate_limit'
  | 'overloaded'
  | 'api_5xx'
  | 'usage_limit'
  | 'max_turns'
  | 'budget'
  | 'process_exit'
  | 'no_result'
  | 'error_result'
  | 'stalled'
  /** the project's prompt override for the phase is refused (an unknown placeholder, …) */
  | 'prompt';

export interface AgentFailure {
  code: AgentFailureCode;
  message: string;
  retryable: boolean;
  /** epoch ms at which a usage limit resets */
  retryAt?: number;
}

export type PhaseOutcome =
  | {
      kind: 'completed';
      session_id: string | null;
      usage: Usage;
      review: ReviewDecision | null;
      result_text: string | null;
    }
  | { kind: 'failed'; session_id: string | null; usage: Usage; failure: AgentFailure }
  /** the observer's signal fired (stop, kill, stall, parked question); the session can be resumed */
  | { kind: 'aborted'; session_id: string | null; usage: Usage };

/** The operator's reply to a parked question: one answer per question text. */
export interface QuestionAnswer {
  answers: Record<string, string>;
}

export interface PhaseObserver {
  /** aborting ends the phase promptly with outcome `aborted` */
  signal: AbortSignal;
  onEvent(event: AgentEvent): void;
  /**
   * The agent asked the operator (AskUserQuestion). Resolves with the answer when the operator
   * answers while the phase is alive; rejects if the phase is aborted first.
   */
  onQuestion(questions: QuestionItem[]): Promise<QuestionAnswer>;
  /** registers a receiver for operator guidance sent into the running session; returns unsubscribe */
  onGuidance(receiver: (text: string) => void): () => void;
}

export interface AgentBackend {
  readonly name: string;
  runPhase(request: PhaseRequest, observer: PhaseObserver): Promise<PhaseOutcome>;
  /**
   * Why no phase may start under this `agent_sandbox` mode now (the OS sandbox it promises cannot
   * run here), or null. Backends without an OS sandbox leave it out.
   */
  holdReason?(osSandbox: PhaseRequest['osSandbox']): Promise<string | null>;
}
