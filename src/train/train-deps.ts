/** What the landing train needs from the world, and the settings it reads at every step. */
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/events.js';
import type { Logger } from '../ports/logger.js';
import type { PhaseLogSink } from '../ports/phase-log.js';
import type { ConflictStore, UnitStore } from '../ports/store.js';
import type { Landing, Verifier, VerifyRunStore, VerifySettings } from '../ports/train.js';
import type { Worktrees } from '../ports/worktrees.js';

export interface TrainSettings {
  /** null: landings are not verified (entries land as they come, still in order) */
  command: string | null;
  source: VerifySettings['source'];
  /** why verification cannot be decided (an unreadable ve.yaml): the train holds until it is fixed */
  error?: string;
  timeoutSeconds: number;
  parallelism: number;
  flakyReruns: number;
  maxRetries: number;
  mergeConflictMaxRetries: number;
  sandbox: 'auto' | 'on' | 'off';
}

export interface TrainDeps {
  store: Pick<UnitStore, 'list' | 'get' | 'transition' | 'update'> & Pick<ConflictStore, 'listConflicts'>;
  runs: VerifyRunStore;
  landing: Landing;
  worktrees: Pick<Worktrees, 'branchTips' | 'remove'>;
  verifier: Verifier;
  settings(): Promise<TrainSettings>;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  phaseLog: PhaseLogSink;
  /** where a verification's full output goes */
  logFile(chunk: string | null, runId: number): string;
  baseBranch: string;
  /** tells this project's verify processes from other projects' (the project root) */
  projectId: string;
}
