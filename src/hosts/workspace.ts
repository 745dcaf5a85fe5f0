/**
 * HostWorkspace: what the runner will need from the machine a unit is placed on, whichever machine
 * that is. `local` is the daemon's own machine over the existing code paths (LocalWorkspace); any
 * other host is reached over ssh (SshWorkspace). Moves to ports/ when the runner is wired to it.
 */
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { Lease } from './lease.js';

export interface HostWorktree {
  /** absolute path of the worktree on its host: the agent's cwd */
  path: string;
  branch: string;
  /** commit checked out when it was (re)made or found */
  head: string;
  /** the worktree's own git dir and the repository's common dir, on the host (for the OS sandbox) */
  gitDir: string;
  commonDir: string;
  /** true when this call made it (first placement, or a stale copy replaced) */
  created: boolean;
}

/** The objects one transfer moved, and how long it took. */
export interface TransferStats {
  /** objects git sent or received (0: nothing new) */
  objects: number;
  ms: number;
}

export interface FetchedBranch extends TransferStats {
  /** tip of `orch/<chunk>` in the operator's repository after the fetch */
  commit: string;
  /** what it was before (null: the branch did not exist) */
  previous: string | null;
}

export interface EnsureWorktreeOptions {
  baseBranch: string;
  lease: Lease;
  /**
   * commit-ish in the operator's repository the branch starts from when the worktree is made: the
   * base for a new unit, the last fetched `orch/<chunk>` for a unit moved from another host
   */
  startPoint: string;
}

export interface HostCommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ClaudeSpawnContext {
  chunk: string;
  lease: Lease;
  /** receives Claude Code's stderr (the SDK's `stderr` option only sees processes it spawned itself) */
  onStderr?: (text: string) => void;
}

export interface ClaudeLauncher {
  /** for the SDK's `spawnClaudeCodeProcess`; undefined: the SDK's own local spawn */
  spawn: ((opts: SpawnOptions) => SpawnedProcess) | undefined;
  /**
   * resolves once every process started through `spawn` has ended and nothing it left runs on the
   * host. The SDK does not wait for that after an abort; a caller that must not overlap two runs of
   * a unit (the runner, before it starts the unit's next phase) does.
   */
  settled(): Promise<void>;
}

export interface HostWorkspace {
  /** `local` or the host's name */
  readonly host: string;
  /** brings the host's copy of the repository up to date with `baseBranch` (only new objects travel) */
  ensureMirror(baseBranch: string): Promise<TransferStats>;
  /** creates the unit's worktree on the host, or finds it; fenced by `lease` */
  ensureWorktree(chunk: string, opts: EnsureWorktreeOptions): Promise<HostWorktree>;
  /**
   * brings the unit's branch from the host into the operator's repository (compare-and-swap on
   * `expectedOld`); refuses with StaleLeaseError when the host's lease is not `lease`
   */
  fetchBack(chunk: string, lease: Lease, expectedOld: string | null): Promise<FetchedBranch>;
  /** how the SDK starts Claude Code for a phase of this unit */
  claudeLauncher(ctx: ClaudeSpawnContext): Promise<ClaudeLauncher>;
  /** runs a command in a folder on the host (setup commands, checks) */
  runCommand(argv: readonly string[], opts: { cwd: string; input?: string }): Promise<HostCommandResult>;
}
