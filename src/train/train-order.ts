/** The order of the train's entries, and the snapshot `ve orch train` and the dashboard show. */
import type { ConflictAnalysis } from '../domain/conflict.js';
import { mergeOrder } from '../domain/merge-order.js';
import { type BaseHealth, entryState, type TrainEntryView } from '../domain/train.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { TrainSnapshot } from '../ports/train.js';
import type { TrainSettings } from './train-deps.js';
import type { VerifyRuns } from './verify-runs.js';

/**
 * Entries in the order they joined (`train_seq`). The entries at the end that have not started
 * verifying yet are ordered among themselves by the oracle's merge order, least conflict-prone first:
 * nothing has been built on them, so reordering them costs nothing.
 */
export function orderTrain(
  units: readonly WorkUnit[],
  started: ReadonlySet<string>,
  analyses: readonly ConflictAnalysis[],
): WorkUnit[] {
  const sorted = [...units].sort(
    (a, b) =>
      (a.train_seq ?? Number.MAX_SAFE_INTEGER) - (b.train_seq ?? Number.MAX_SAFE_INTEGER) ||
      a.chunk.localeCompare(b.chunk),
  );
  let cut = sorted.length;
  while (cut > 0 && !started.has((sorted[cut - 1] as WorkUnit).chunk)) cut -= 1;
  const tail = sorted.slice(cut);
  if (tail.length < 2) return sorted;
  const byChunk = new Map(tail.map((u) => [u.chunk as string, u]));
  const order = mergeOrder(
    tail.map((u) => u.chunk),
    analyses,
  );
  return [...sorted.slice(0, cut), ...order.map((c) => byChunk.get(c) as WorkUnit)];
}

export function snapshotOf(
  base: string,
  baseTip: string | null,
  settings: TrainSettings,
  entries: readonly TrainEntryView[],
  baseHealth: BaseHealth,
  runs: VerifyRuns,
): TrainSnapshot {
  return {
    base,
    base_tip: baseTip,
    verify: {
      command: settings.command,
      source: settings.source,
      ...(settings.error ? { error: settings.error } : {}),
      timeout_seconds: settings.timeoutSeconds,
      parallelism: settings.parallelism,
    },
    base_health: baseHealth,
    running: runs.running(),
    entries: entries.map((e, i) => ({
      position: i + 1,
      chunk: e.chunk,
      state: entryState(e),
      spec: e.spec,
      base_tip: baseTip ?? e.parent,
      ahead: e.ahead,
      conflict_files: e.conflictFiles,
      land_unverified: e.skipVerify && settings.command !== null,
      run: e.spec ? runs.latest(e.spec) : null,
    })),
  };
}
