/**
 * The host pool as the core sees it (DESIGN §15, docs/hosts.md): the hosts on record, the
 * workspace of a unit on its host (worktree, state moved both ways, Claude Code started there),
 * and the checks that say whether a host can take agents. `hosts/` implements the workspace and
 * the checks over the system ssh; `store/` keeps the records.
 */
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { Host, HostHealth, HostState, HostTools } from '../domain/host.js';
import type { Lease } from '../domain/lease.js';
import type { WorkUnit } from '../domain/work-unit.js';

export interface HostWorktree {
  /** absolute path of the worktree on its host: the agent's cwd */
  path: string;
  branch: string;
  /** commit checked out when it was (re)made or found */
  head: string;
  /** the worktree's own git dir and the repository's common dir, on the host (for the OS sandbox) */
  gitDir: string;
  commonDir: string;
  /** the project's folder on the host (mirror and worktrees): agents write only in their worktree */
  root: string;
  /** the excludes file sandboxed git reads there */
  excludesFile: string;
  /** the unit's folder for Claude Code's temporary files there (made before each phase) */
  tmpDir: string;
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

export type ClaudeSpawn = (opts: SpawnOptions, onStderr?: (text: string) => void) => SpawnedProcess;

export interface ClaudeLauncher {
  /** for the SDK's `spawnClaudeCodeProcess`; undefined: the SDK's own local spawn */
  spawn: ClaudeSpawn | undefined;
  /**
   * resolves once every process started through `spawn` has ended and nothing it left runs on the
   * host. The SDK does not wait for that after an abort; a caller that must not overlap two runs of
   * a unit (the runner, before it starts the unit's next phase) does.
   */
  settled(): Promise<void>;
  /** why a session of this launcher ended with the connection to the host, null while none did */
  connectionLost(): string | null;
}

export interface HostWorkspace {
  /** `local` or the host's name */
  readonly host: string;
  /** brings the host's copy of the repository up to date with `baseBranch` (only new objects travel) */
  ensureMirror(baseBranch: string): Promise<TransferStats>;
  /** creates the unit's worktree on the host, or finds it; fenced by `lease` */
  ensureWorktree(chunk: string, opts: EnsureWorktreeOptions): Promise<HostWorktree>;
  /**
   * makes the host's worktree hold exactly what the daemon's copy `from` holds: its branch, and its
   * uncommitted and untracked files (ignored files on the host are kept); fenced by `lease`
   */
  sendState(chunk: string, lease: Lease, from: string): Promise<TransferStats>;
  /**
   * brings the unit's branch from the host into the operator's repository (compare-and-swap on
   * `expectedOld`), and with `into` (the daemon's copy) the host worktree's uncommitted and untracked
   * files too; refuses with StaleLeaseError when the host's lease is not `lease`
   */
  fetchBack(chunk: string, lease: Lease, expectedOld: string | null, into?: string): Promise<FetchedBranch>;
  /**
   * runs the setup command in the unit's worktree on the host, unless that command already succeeded
   * in this worktree; its output is in stdout; fenced by `lease`
   */
  runSetup(chunk: string, lease: Lease, command: string, timeoutSeconds: number): Promise<HostCommandResult>;
  /** stops whatever earlier launches of the unit left running on the host; fenced by `lease` */
  stopUnit(chunk: string, lease: Lease): Promise<void>;
  /** stops the unit's processes and removes its worktree and branch from the host (the unit is done) */
  removeUnit(chunk: string, lease: Lease): Promise<void>;
  /** where a write to each absolute path would land on the host, symlinks resolved */
  landingPaths(paths: readonly string[]): Promise<string[]>;
  /** how the SDK starts Claude Code for a phase of this unit */
  claudeLauncher(ctx: ClaudeSpawnContext): Promise<ClaudeLauncher>;
  /** runs a command in a folder on the host (setup commands, checks) */
  runCommand(argv: readonly string[], opts: { cwd: string; input?: string }): Promise<HostCommandResult>;
}

/** What one check of a host found. */
export interface HostCheck {
  /** null when ssh reached the host, else what ssh said */
  unreachable: string | null;
  /** tool versions (null when the host was not reached) */
  tools: HostTools | null;
  /** how long the check took */
  ms: number;
}

/** Reaching the hosts of the pool (hosts/ over the system ssh). */
export interface HostConnections {
  /** the workspace of a host reached over ssh (`local` has none: its units use the Worktrees port) */
  workspace(host: Host): HostWorkspace;
  /** reachability, then git, Claude Code and the OS sandbox tools with their versions */
  check(host: Host): Promise<HostCheck>;
  /** one multiplexed round trip: null when the host answered, else why not */
  ping(host: Host): Promise<string | null>;
  /**
   * stops every process of this project on the host and removes its folder there (a removed host
   * that came back: none of its copies may run or be used again)
   */
  sweep(host: Host): Promise<void>;
  /** closes every master connection */
  close(): Promise<void>;
}

export interface NewHost {
  name: string;
  ssh: string;
  slots: number;
  workdir: string;
  claude_path: string;
}

export interface HostCheckRecord {
  health: HostHealth;
  detail: string | null;
  /** kept as it was when omitted (a reachability probe learns nothing about tools) */
  tools?: HostTools | null;
}

/** The hosts on record, in the store's database. Each method is one transaction; changes are published. */
export interface HostStore {
  /** every host, `local` first, then by name (removed ones too, until they are forgotten) */
  list(): Promise<Host[]>;
  get(name: string): Promise<Host | undefined>;
  /** AlreadyExists when the name is taken (a removed host too, until it is forgotten) */
  add(host: NewHost): Promise<Host>;
  setState(name: string, state: HostState): Promise<Host>;
  /** a host's agent slots (not `local`'s, which are `max_agents`) */
  setSlots(name: string, slots: number): Promise<Host>;
  /** stores a check's result; publishes only when health, detail or tools changed */
  recordCheck(name: string, check: HostCheckRecord): Promise<Host>;
  /** drops a removed host's record */
  forget(name: string): Promise<void>;
  /**
   * takes the unit off its host `from` (it is placed anew at its next dispatch, with a newer lease):
   * its session stays behind with the host, its unfetched work is given up; `note` goes to the agent
   * as the phase's opening words, and `reason` into the unit's history
   */
  reassignUnit(
    chunk: string,
    change: { from: string; reason: string; note: string | null },
  ): Promise<WorkUnit>;
}
