/**
 * Ordering of the ready queue and of the attention inbox. The one place that decides "what first":
 * transitive downstream impact (how many units wait on this one, directly or indirectly), then
 * priority or graph depth, then age.
 */
import type { WorkUnit } from './work-unit.js';

type Graphable = Pick<WorkUnit, 'chunk' | 'status' | 'blocked_by'>;

/** For every chunk, the number of distinct non-DONE units that wait on it, directly or transitively. */
export function transitiveBlocksCount(units: readonly Graphable[]): Map<string, number> {
  const dependents = new Map<string, string[]>();
  for (const u of units) {
    if (u.status === 'DONE') continue;
    for (const b of u.blocked_by) {
      const list = dependents.get(b);
      if (list) list.push(u.chunk);
      else dependents.set(b, [u.chunk]);
    }
  }
  const counts = new Map<string, number>();
  for (const u of units) {
    const seen = new Set<string>();
    const stack = [...(dependents.get(u.chunk) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next) || next === u.chunk) continue;
      seen.add(next);
      for (const d of dependents.get(next) ?? []) stack.push(d);
    }
    counts.set(u.chunk, seen.size);
  }
  return counts;
}

/** Depth of each unit in the dependency graph: 0 for a unit that waits on nothing still known. */
export function dependencyDepth(units: readonly Graphable[]): Map<string, number> {
  const byChunk = new Map(units.map((u) => [u.chunk as string, u]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (chunk: string): number => {
    const known = depth.get(chunk);
    if (known !== undefined) return known;
    const unit = byChunk.get(chunk);
    if (!unit || visiting.has(chunk)) return 0;
    visiting.add(chunk);
    let d = 0;
    for (const b of unit.blocked_by) if (byChunk.has(b)) d = Math.max(d, visit(b) + 1);
    visiting.delete(chunk);
    depth.set(chunk, d);
    return d;
  };
  for (const u of units) visit(u.chunk);
  return depth;
}

/** READY units in dispatch order: blocks desc, priority desc, created_at asc, chunk asc. */
export function readyQueue<T extends WorkUnit>(units: readonly T[]): T[] {
  const blocks = transitiveBlocksCount(units);
  return units
    .filter((u) => u.status === 'READY')
    .sort(
      (a, b) =>
        (blocks.get(b.chunk) ?? 0) - (blocks.get(a.chunk) ?? 0) ||
        b.priority - a.priority ||
        a.created_at.localeCompare(b.created_at) ||
        a.chunk.localeCompare(b.chunk),
    );
}

export interface RankedAttention<T> {
  unit: T;
  blocks_count: number;
  depth: number;
}

/** NEEDS_ATTENTION units, the answer that unblocks the most work first; then shallower; then oldest. */
export function attentionOrder<T extends WorkUnit>(units: readonly T[]): RankedAttention<T>[] {
  const blocks = transitiveBlocksCount(units);
  const depth = dependencyDepth(units);
  const since = (u: WorkUnit) => u.attention_at ?? u.updated_at;
  return units
    .filter((u) => u.status === 'NEEDS_ATTENTION')
    .map((unit) => ({ unit, blocks_count: blocks.get(unit.chunk) ?? 0, depth: depth.get(unit.chunk) ?? 0 }))
    .sort(
      (a, b) =>
        b.blocks_count - a.blocks_count ||
        a.depth - b.depth ||
        since(a.unit).localeCompare(since(b.unit)) ||
        a.unit.chunk.localeCompare(b.unit.chunk),
    );
}
