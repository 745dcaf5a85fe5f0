/**
 * The landing train's ports (DESIGN §16): the git side that builds and lands speculative merges,
 * the process side that runs the verify command on a tree in a checkout of its own, and the durable
 * record of every verification.
 */

import type { VerifySettings } from '../config/verify-settings.js';
import type { TrainEntryState } from '../domain/train.js';

export type { VerifySettings };

/** One entry of the train as `ve orch train` and the dashboard show it. */
export interface TrainEntrySnapshot {
  position: number;
  chunk: string;
  state: TrainEntryState;
  /** the commit that would land (base + the entries in `ahead` + this one) */
  spec: string | null;
  /** the base tip the tree was built on */
  base_tip: string;
  ahead: string[];
  conflict_files: string[] | null;
  land_unverified: boolean;
  /** the running or latest verification of this entry's current tree */
  run: { id: number; started_at: string; outcome: string | null; duration_ms: number | null } | null;
}

export interface TrainSnapshot {
  base: string;
  base_tip: string | null;
  verify: VerifySettings;
  /** 'passed' / 'failed' when the base tip itself had to be checked */
  base_health: 'unknown' | 'running' | 'passed' | 'failed';
  entries: TrainEntrySnapshot[];
  running: number;
}

/** What merging a unit branch onto a commit gives. */
export type SpeculativeMerge =
  /** a new merge commit: `parent` (first parent) merged with the branch tip */
  | { kind: 'commit'; commit: string }
  /** the branch is already contained in `parent`: nothing to land */
  | { kind: 'contained' }
  | { kind: 'conflict'; files: string[] };

export type LandResult =
  | { kind: 'landed'; commit: string }
  /** base is no longer at the expected tip: rebuild on the new one */
  | { kind: 'moved'; tip: string | null }
  /** git refused without a conflict (the operator's checkout has edits in the way, …) */
  | { kind: 'refused'; message: string };

export type SendBackMerge = { kind: 'merged' } | { kind: 'conflict'; files: string[] };

/**
 * The git side of the train. Worktree cleanup after landing and the branch tips come from the
 * Worktrees port.
 */
export interface Landing {
  /** the tip of `base`, or null when it is not a branch */
  baseTip(base: string): Promise<string | null>;
  /**
   * merges `branch` (at `tip`) onto `parent` as a new merge commit — never a fast-forward, so every
   * commit the train puts on base's first-parent line is one that was verified; writes objects only
   */
  speculate(req: { parent: string; branch: string; tip: string; base: string }): Promise<SpeculativeMerge>;
  /**
   * moves `base` from `expectedBase` to `commit` (whose first parent is `expectedBase`) by
   * compare-and-swap; when base is checked out, as a fast-forward in that working copy, which git
   * refuses rather than overwrite the operator's edits
   */
  land(base: string, expectedBase: string, commit: string): Promise<LandResult>;
  /** merges base into the unit's branch in its worktree (a unit sent back); aborts on conflict */
  mergeBaseIntoBranch(chunk: string, base: string): Promise<SendBackMerge>;
  /** a file as committed at `commit` (ve.yaml on base), or null when it has none */
  committedFile(commit: string, path: string): Promise<string | null>;
}

/** Checkouts the verify command runs in: one per slot, reused, never a unit's worktree. */
export interface VerifyCheckouts {
  /**
   * the slot's checkout at `commit` (created, or reset: tracked files as in the commit, untracked
   * files gone, ignored ones such as installed dependencies kept); `readable`: paths outside it the
   * checkout needs to read (the repository's object store)
   */
  prepare(slot: number, commit: string): Promise<{ path: string; readable: string[] }>;
}

export type VerifyOutcome = 'passed' | 'failed' | 'timeout' | 'cancelled' | 'error';

export interface VerifyRequest {
  /** which checkout to use: 0 .. verify_parallelism (the base check has its own) */
  slot: number;
  commit: string;
  command: string;
  timeoutMs: number;
  /** run under the OS sandbox: 'auto' where it can run, 'on' required, 'off' never */
  sandbox: 'auto' | 'on' | 'off';
  /** the full output goes here (capped) */
  logFile: string;
  /** live output, in pieces as it arrives */
  onOutput(text: string): void;
  /** called once the process runs: its pid and start time, for killing an orphan after a crash */
  onStarted(pid: number, startTime: string | null, sandboxed: boolean): void;
  /** set in the environment of every process of this run, so a restart finds them all */
  marker: string;
  signal: AbortSignal;
}

export interface VerifyResult {
  outcome: VerifyOutcome;
  exitCode: number | null;
  durationMs: number;
  /** the last lines of the output */
  tail: string;
  /** why it failed when the exit code does not say (timeout, output flood, checkout deleted, setup) */
  message: string | null;
  sandboxed: boolean;
}

export interface Verifier {
  run(req: VerifyRequest): Promise<VerifyResult>;
  /**
   * kills the processes of a run a previous daemon left behind: the recorded process group (pid and
   * start time), and every process carrying the run's marker; returns how many were found
   */
  killOrphan(run: { marker: string; pid: number | null; startTime: string | null }): number;
}

export interface VerifyRun {
  id: number;
  /** null for a check of the base tip itself */
  chunk: string | null;
  purpose: 'unit' | 'base';
  base_tip: string;
  spec_commit: string;
  /** the train entries ahead whose work the tree contains */
  ahead: string[];
  command: string;
  slot: number;
  sandboxed: boolean;
  started_at: string;
  ended_at: string | null;
  outcome: VerifyOutcome | 'interrupted' | null;
  exit_code: number | null;
  duration_ms: number | null;
  /** failed, then passed when re-run on the same tree */
  flaky: boolean;
  pid: number | null;
  pid_start: string | null;
  log_path: string | null;
  tail: string | null;
}

export interface VerifyRunStore {
  startVerifyRun(
    run: Pick<
      VerifyRun,
      'chunk' | 'purpose' | 'base_tip' | 'spec_commit' | 'ahead' | 'command' | 'slot' | 'log_path'
    >,
  ): Promise<number>;
  markVerifyRunProcess(id: number, pid: number, pidStart: string | null, sandboxed: boolean): Promise<void>;
  /** ends the run; a unit run's duration is added to the unit's `verify_ms` in the same transaction */
  endVerifyRun(
    id: number,
    end: Pick<VerifyRun, 'outcome' | 'exit_code' | 'duration_ms' | 'tail'>,
  ): Promise<void>;
  markVerifyRunFlaky(id: number): Promise<void>;
  /** runs a previous daemon left open (it died during them) */
  openVerifyRuns(): Promise<VerifyRun[]>;
  verifyRuns(filter: { chunk?: string; limit?: number }): Promise<VerifyRun[]>;
}
