/**
 * The dependency setup of a unit's worktree (issue 11 §4): started in the background when the unit's
 * first phase is dispatched, awaited before a phase that builds or tests code. The adapter keeps a
 * stamp per unit, so a setup that succeeded for this worktree and these lockfiles never runs twice,
 * also across daemon restarts, and one that was interrupted runs again.
 */
import type { OrchestratorConfig } from '../config/schema.js';

/** The config keys a setup depends on (`agent_sandbox` confines setups like agents' shell commands). */
export type DependencyConfig = Pick<
  OrchestratorConfig,
  'setup_command' | 'node_modules_sharing' | 'agent_sandbox'
>;

export type SetupResult =
  /** the dependencies are in place (or there is nothing to set up) */
  | { kind: 'ready' }
  /** the setup failed; `message` ends with the tail of its output */
  | { kind: 'failed'; message: string }
  /** the signal fired while waiting; a setup still running goes on for the next dispatch */
  | { kind: 'aborted' };

export interface DependencySetup {
  /** starts the setup of `worktree` unless it is done for these lockfiles or already running; never waits */
  start(chunk: string, worktree: string, config: DependencyConfig): void;
  /**
   * resolves once the setup of `worktree` is done, starting it when nothing runs; a failure of a run
   * started earlier (by `start`) is reported here once, and the next call runs the setup again
   */
  ready(chunk: string, worktree: string, config: DependencyConfig, signal: AbortSignal): Promise<SetupResult>;
  /** kills every running setup (the daemon is stopping); each runs again at its unit's next dispatch */
  stop(): Promise<void>;
}
