/** What the runner needs: one type the runner's modules share, so none imports another for it. */
import type { VerifySettings } from '../config/verify-settings.js';
import type { AgentBackend } from '../ports/agent-backend.js';
import type { ChunkRepo } from '../ports/chunks.js';
import type { Clock } from '../ports/clock.js';
import type { DependencySetup } from '../ports/dependencies.js';
import type { EventBus } from '../ports/events.js';
import type { Logger } from '../ports/logger.js';
import type { PhaseLogSink } from '../ports/phase-log.js';
import type { ReviewRounds } from '../ports/review-rounds.js';
import type { ConfigStore, ConflictStore, PhaseRunStore, UnitStore } from '../ports/store.js';
import type { Worktrees } from '../ports/worktrees.js';
import type { MergeQueue } from './merge-queue.js';
import type { RemoteDeps } from './remote-phase.js';

export interface RunnerDeps {
  store: UnitStore & ConfigStore & PhaseRunStore & Pick<ConflictStore, 'invalidateConflicts'>;
  backend: AgentBackend;
  worktrees: Worktrees;
  chunks: ChunkRepo;
  clock: Clock;
  bus: EventBus;
  phaseLog: PhaseLogSink;
  /** each REVIEW round's feedback and the implementer's answer, for the next REVIEW */
  reviewRounds: ReviewRounds;
  log: Logger;
  hostRoot: string;
  /** the branch units merge into, fixed when the daemon started (the operator may switch meanwhile) */
  baseBranch: string;
  /** orders concurrent merges, least conflict-prone first */
  mergeQueue: MergeQueue;
  /** seconds a live agent waits for an answer before it is stopped (its session is kept) */
  questionHoldSeconds?: number;
  /** the verify command in force: with one, finished units join the landing train instead of merging */
  verifySettings?: () => Promise<VerifySettings>;
  /** the worktrees' dependency setup (background; code phases wait for it) */
  dependencies: DependencySetup;
  /** the host pool (docs/hosts.md): a unit placed on a host other than `local` runs its agent there */
  hosts?: RemoteDeps['hosts'];
}
