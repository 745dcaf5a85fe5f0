/** The operator's direct commands on work units (priority, forced status, delete, retry, block, kill). */
import { BUDGET_KEY, formatSpent, raiseCommand, unitReached } from '../domain/budget.js';
import { toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { UnitEvent } from '../domain/transitions.js';
import type { Phase, Status, WorkUnit } from '../domain/work-unit.js';
import type { LivePhases } from '../ports/live-phases.js';
import type { AttentionLogStore, ConfigStore, UnitStore } from '../ports/store.js';
import type { Worktrees } from '../ports/worktrees.js';

export interface OperatorDeps {
  store: UnitStore & AttentionLogStore & ConfigStore;
  live: LivePhases;
  worktrees: Pick<Worktrees, 'unmergedCommits' | 'remove' | 'exists'>;
  baseBranch: () => string;
  /** epoch ms: a unit re-entering the landing train goes to its end */
  now: () => number;
}

async function mustGet(store: UnitStore, chunk: string): Promise<WorkUnit> {
  const unit = await store.get(toChunkName(chunk));
  if (!unit) throw new OrchError(ErrorCode.not_found, `work unit '${chunk}' not found`, { chunk });
  return unit;
}

export async function setPriority(
  deps: OperatorDeps,
  chunk: string,
  priority: number,
  expectedVersion?: number,
): Promise<WorkUnit> {
  const unit = await mustGet(deps.store, chunk);
  return deps.store.update(
    unit.chunk,
    { priority },
    { source: 'api', expectedVersion: expectedVersion ?? unit.version },
  );
}

/** The escape hatch: any status (and optionally phase), through the same table, audited as forced. */
export async function forceStatus(
  deps: OperatorDeps,
  chunk: string,
  change: { status: Status; phase?: Phase; expectedVersion?: number; reason?: string },
): Promise<WorkUnit> {
  if (change.status === 'RUNNING') {
    // only the scheduler may start a phase: a unit forced RUNNING would have no agent behind it
    throw new OrchError(
      ErrorCode.invalid_input,
      `RUNNING is set when an agent starts; use READY to queue '${chunk}' for dispatch`,
    );
  }
  const unit = await mustGet(deps.store, chunk);
  if (unit.status === 'RUNNING' && deps.live.running().includes(unit.chunk)) {
    throw new OrchError(
      ErrorCode.conflict,
      `work unit '${chunk}' has a phase running; stop it first with 've orch kill ${chunk}'`,
    );
  }
  return deps.store.transition(
    unit.chunk,
    { type: 'force', status: change.status, ...(change.phase ? { phase: change.phase } : {}) },
    {
      source: 'operator-force',
      expectedVersion: change.expectedVersion ?? unit.version,
      reason: change.reason ?? `forced to ${change.status}`,
    },
  );
}

/** Deletes a unit. Refuses when its branch holds unmerged commits unless forced; stops a running phase first. */
export async function deleteUnit(
  deps: OperatorDeps,
  chunk: string,
  force: boolean,
  keepBranch = false,
): Promise<void> {
  const unit = await mustGet(deps.store, chunk);
  const base = unit.base_branch ?? deps.baseBranch();
  const unmerged = await deps.worktrees.unmergedCommits(unit.chunk, base);
  if (unmerged > 0 && !force && !keepBranch) {
    throw new OrchError(
      ErrorCode.conflict,
      `branch orch/${chunk} has ${unmerged} unmerged commit(s); use --force to delete anyway, or merge them first`,
      { unmerged },
    );
  }
  await deps.live.abort(unit.chunk, 'delete');
  const reason = `deleted${force ? ' (forced)' : ''}${keepBranch ? `; branch orch/${unit.chunk} kept` : ''}`;
  await deps.store.delete(unit.chunk, { source: 'api', reason });
  await deps.worktrees.remove(unit.chunk, { force: true, keepBranch, baseBranch: base });
}

export async function retry(deps: OperatorDeps, chunk: string): Promise<WorkUnit> {
  const unit = await mustGet(deps.store, chunk);
  if (unit.status !== 'NEEDS_ATTENTION') {
    throw new OrchError(
      ErrorCode.invalid_transition,
      `work unit '${chunk}' is ${unit.status}; only units that need attention can be retried`,
    );
  }
  if (unit.attention_kind === 'BUDGET') {
    // still over its own limit, a retry would only raise the item again: the limit has to be raised
    const held = unitReached(unit, await deps.store.getConfig());
    if (held) {
      throw new OrchError(
        ErrorCode.conflict,
        `work unit '${unit.chunk}' is still over its budget: ${formatSpent(held)} (${BUDGET_KEY[held.limit]}). Raise the limit and it resumes by itself: ${raiseCommand(held)}`,
        { limit: BUDGET_KEY[held.limit], spent: held.spent, of: held.of },
      );
    }
  }
  const { event, reason } = retryOf(unit, deps.now());
  return deps.store.transition(unit.chunk, event, {
    source: 'api',
    expectedVersion: unit.version,
    reason: `retried by the operator: ${reason}`,
  });
}

/**
 * What a retry of the unit's item means, the same for `retry` and `retry-all`: a phase that used up
 * its turns, or stopped at a budget since raised, continues its session (starting it over would lose
 * the conversation); a failed verification is verified again (a flaky test, a fixed base); anything
 * else reruns the phase in a fresh session.
 */
function retryOf(unit: WorkUnit, now: number): { event: UnitEvent; reason: string } {
  switch (unit.attention_kind) {
    case 'TURNS':
      return {
        event: {
          type: 'retry',
          continue_with: `The operator gave you another turn budget. Continue where you left off and finish ${unit.phase}.`,
        },
        reason: 'the session continues',
      };
    case 'BUDGET':
      return {
        event: {
          type: 'retry',
          continue_with: `The operator let you go on with a fresh spending budget. Continue where you left off and finish ${unit.phase}.`,
        },
        reason: 'the session continues',
      };
    case 'VERIFY':
      return { event: { type: 'enqueue', train_seq: now }, reason: 'verify again' };
    default:
      return { event: { type: 'retry' }, reason: 'the phase starts over' };
  }
}

export async function retryAll(deps: OperatorDeps, phase?: Phase): Promise<string[]> {
  const retried: string[] = [];
  const config = await deps.store.getConfig();
  for (const unit of await deps.store.list({ status: 'NEEDS_ATTENTION' })) {
    if (phase && unit.phase !== phase) continue;
    // over its own limit it would only come back; a raised limit resumes it by itself
    if (unit.attention_kind === 'BUDGET' && unitReached(unit, config) !== null) continue;
    const { event, reason } = retryOf(unit, deps.now());
    try {
      await deps.store.transition(unit.chunk, event, {
        source: 'api',
        expectedVersion: unit.version,
        reason: `retry-all: ${reason}`,
      });
      retried.push(unit.chunk);
    } catch (e) {
      // a unit that moved on meanwhile is simply not retried
      if (!(e instanceof OrchError) || (e.code !== 'stale_write' && e.code !== 'invalid_transition')) throw e;
    }
  }
  return retried;
}

export async function block(
  deps: OperatorDeps,
  chunk: string,
  on: string[],
  reason?: string,
): Promise<WorkUnit> {
  const unit = await mustGet(deps.store, chunk);
  const others = on.map(toChunkName);
  if (others.includes(unit.chunk))
    throw new OrchError(ErrorCode.invalid_input, 'a unit cannot wait on itself');
  for (const o of others) await mustGet(deps.store, o);
  if (unit.status === 'RUNNING') {
    throw new OrchError(ErrorCode.conflict, `work unit '${chunk}' is running; kill it first`);
  }
  return deps.store.transition(
    unit.chunk,
    { type: 'block', blocked_by: [...unit.blocked_by, ...others] },
    { source: 'api', expectedVersion: unit.version, reason: reason ?? 'blocked by the operator' },
  );
}

export async function unblock(deps: OperatorDeps, chunk: string): Promise<WorkUnit> {
  const unit = await mustGet(deps.store, chunk);
  return deps.store.transition(
    unit.chunk,
    { type: 'unblock' },
    { source: 'api', expectedVersion: unit.version, reason: 'unblocked by the operator' },
  );
}

export async function kill(deps: OperatorDeps, chunk: string, to: 'ready' | 'attention'): Promise<WorkUnit> {
  const unit = await mustGet(deps.store, chunk);
  const stopped = await deps.live.abort(unit.chunk, to === 'ready' ? 'kill-ready' : 'kill-attention');
  if (!stopped)
    throw new OrchError(
      ErrorCode.conflict,
      `work unit '${chunk}' has no phase running (status ${unit.status})`,
    );
  return mustGet(deps.store, chunk);
}

export async function interrupt(deps: OperatorDeps, chunk: string, guidance: string): Promise<void> {
  const unit = await mustGet(deps.store, chunk);
  if (!deps.live.sendGuidance(unit.chunk, guidance)) {
    throw new OrchError(
      ErrorCode.conflict,
      `work unit '${chunk}' has no agent running to receive guidance (status ${unit.status})`,
    );
  }
}
