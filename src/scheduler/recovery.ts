/**
 * Crash recovery, run once before the first pass: nothing in flight survives a restart, so RUNNING
 * units return to READY (sessions, worktrees and the `finalizing` flag kept), phase runs the dead
 * process left open are closed as interrupted, and finished blockers release their dependents.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import { backoffMs } from '../domain/backoff.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { PhaseRunStore, UnitStore } from '../ports/store.js';
import { unblockWaiting } from './unblock.js';

export async function recover(
  deps: { store: UnitStore & PhaseRunStore; clock: Clock; log: Logger },
  config: OrchestratorConfig,
): Promise<number> {
  const { store, clock, log } = deps;
  let recovered = 0;
  for (const unit of await store.list({ status: 'RUNNING' })) {
    // keep a backoff in force across the restart
    const delay = unit.api_retry_count > 0 ? backoffMs(unit.api_retry_count, config) : 0;
    await store.transition(
      unit.chunk,
      { type: 'requeue', next_retry_at: delay > 0 ? new Date(clock.now() + delay).toISOString() : null },
      {
        source: 'recovery',
        reason: unit.finalizing ? 'daemon restarted during the merge' : 'daemon restarted during the phase',
      },
    );
    recovered += 1;
  }
  const closed = await closeOpenPhaseRuns(store);
  const released = await unblockWaiting(store);
  if (recovered > 0 || released.length > 0 || closed > 0)
    log.info('recovered', { requeued: recovered, unblocked: released, runs_closed: closed });
  return recovered;
}

/** Before the first pass no phase runs in this process: an open run belongs to a process that died. */
async function closeOpenPhaseRuns(store: UnitStore & PhaseRunStore): Promise<number> {
  let closed = 0;
  for (const unit of await store.list()) {
    for (const run of await store.phaseRuns(unit.chunk)) {
      if (run.ended_at !== null) continue;
      await store.endPhaseRun(run.id, {
        outcome: 'interrupted',
        session_id: run.session_id,
        cost_usd: 0,
        tokens_in: 0,
        tokens_out: 0,
        error: 'the daemon stopped during this phase (crash or kill); the phase was requeued',
      });
      closed += 1;
    }
  }
  return closed;
}
