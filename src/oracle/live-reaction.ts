/**
 * What a real conflict between two implementing branches does (issue 5 §3): after each phase end and
 * on an interval, probe the live branches and, for each conflicting pair the operator has not yet
 * decided, raise one CONFLICT item on the unit that is between phases (or serialize it, per config).
 * A unit whose agent is mid-phase is left alone; the check after its phase end catches it.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import { isOrchError } from '../domain/errors.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ConfigStore, ConflictStore, UnitStore } from '../ports/store.js';

type LiveStore = UnitStore & ConfigStore & Pick<ConflictStore, 'getConflict'>;

import type { LiveConflict } from './live-watch.js';

export interface LiveReactionDeps {
  store: LiveStore;
  probe: (units: readonly WorkUnit[]) => Promise<LiveConflict[]>;
  log: Logger;
}

interface CheckState {
  running: Promise<number>;
  /** the one re-run queued behind `running`; every request made meanwhile joins it */
  again: Promise<number> | null;
}
const checks = new WeakMap<LiveStore, CheckState>();

/**
 * Probes and reacts. One check at a time per store: every phase end asks for a check, and each one
 * probes all live pairs (a git spawn per pair), so overlapping checks multiplied the spawns and
 * starved the daemon (bench/pipeline). Requests arriving while a check runs share a single re-run
 * that starts after it, so each caller's answer still reflects the state at or after its request.
 */
export function checkLiveConflicts(deps: LiveReactionDeps): Promise<number> {
  const state = checks.get(deps.store);
  if (!state) return begin(deps);
  state.again ??= state.running.catch(() => 0).then(() => begin(deps));
  return state.again;
}

function begin(deps: LiveReactionDeps): Promise<number> {
  const state: CheckState = { running: Promise.resolve(0), again: null };
  checks.set(deps.store, state);
  state.running = runCheck(deps).finally(() => {
    if (checks.get(deps.store) === state && state.again === null) checks.delete(deps.store);
  });
  return state.running;
}

async function runCheck(deps: LiveReactionDeps): Promise<number> {
  const { store } = deps;
  const config = await store.getConfig();
  const conflicts = await deps.probe(await store.list({ active: true }));
  let raised = 0;
  for (const { pair, files } of conflicts) {
    const analysis = await store.getConflict(pair[0], pair[1]);
    if (analysis?.override) continue;
    const [a, b] = await Promise.all([store.get(pair[0]), store.get(pair[1])]);
    if (!a || !b) continue;
    // the later-created unit gives way: the earlier one has been at it longer
    const [yielder, other] = [a, b].sort((x, y) => y.created_at.localeCompare(x.created_at)) as [
      WorkUnit,
      WorkUnit,
    ];
    if (yielder.status !== 'READY' || yielder.blocked_by.includes(other.chunk)) continue;
    if (await react(store, yielder, other, files, config)) raised += 1;
  }
  return raised;
}

async function react(
  store: LiveStore,
  unit: WorkUnit,
  other: WorkUnit,
  files: string[],
  config: OrchestratorConfig,
): Promise<boolean> {
  const where = files.slice(0, 5).join(', ');
  try {
    if (config.live_conflict_action === 'serialize') {
      await store.transition(
        unit.chunk,
        { type: 'block', blocked_by: [...unit.blocked_by, other.chunk] },
        {
          source: 'oracle',
          expectedVersion: unit.version,
          reason: `live conflict with ${other.chunk} in ${where}: serialized`,
        },
      );
      return true;
    }
    const reason = `Branches of ${unit.chunk} and ${other.chunk} conflict in ${where}. Decide with: ve orch resolve ${unit.chunk} --with ${other.chunk} parallelize|serialize`;
    await store.transition(
      unit.chunk,
      { type: 'attend', kind: 'CONFLICT', reason, details: { other: other.chunk, files } },
      { source: 'oracle', expectedVersion: unit.version, reason },
      { blocked_by: [...new Set([...unit.blocked_by, other.chunk])] as WorkUnit['blocked_by'] },
    );
    return true;
  } catch (e) {
    // the unit moved on (dispatched, answered) meanwhile: the next check sees its new state
    if (isOrchError(e, 'stale_write') || isOrchError(e, 'invalid_transition')) return false;
    throw e;
  }
}

/** Runs the check every `live_probe_interval_seconds` (0 = only after phase ends); returns stop. */
export function startLiveInterval(deps: LiveReactionDeps & { clock: Clock }): () => void {
  let cancel = () => {};
  let stopped = false;
  const arm = async () => {
    const seconds = (await deps.store.getConfig()).live_probe_interval_seconds;
    if (stopped) return;
    const delay = (seconds > 0 ? seconds : 60) * 1000;
    cancel = deps.clock.at(deps.clock.now() + delay, () => {
      const run = seconds > 0 ? checkLiveConflicts(deps) : Promise.resolve(0);
      run
        .catch((error: unknown) => deps.log.warn('live conflict check failed', { error }))
        .finally(() => void arm());
    });
  };
  void arm();
  return () => {
    stopped = true;
    cancel();
  };
}
