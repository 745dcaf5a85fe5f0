/**
 * The operator's conflict decision for a pair of chunks: parallelize (run side by side) or serialize
 * (this one waits until the other is DONE). The override is stored on the pair and wins over the oracle.
 */
import { toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { ConflictStore, UnitStore } from '../ports/store.js';

export async function resolveConflict(
  store: UnitStore & ConflictStore,
  chunk: string,
  otherChunk: string,
  choice: 'parallelize' | 'serialize',
): Promise<WorkUnit> {
  const name = toChunkName(chunk);
  const other = toChunkName(otherChunk);
  if (name === other) throw new OrchError(ErrorCode.invalid_input, 'a chunk cannot conflict with itself');
  const unit = await store.get(name);
  if (!unit) throw new OrchError(ErrorCode.not_found, `work unit '${chunk}' not found`);
  const otherUnit = await store.get(other);
  if (!otherUnit) throw new OrchError(ErrorCode.not_found, `work unit '${otherChunk}' not found`);
  await store.setConflictOverride(name, other, choice === 'parallelize' ? 'INDEPENDENT' : 'SERIALIZE');
  const opts = {
    source: 'api' as const,
    expectedVersion: unit.version,
    reason: `resolved against ${other}: ${choice}`,
  };

  if (choice === 'serialize') {
    if (otherUnit.status === 'DONE') return unit;
    if (unit.status === 'RUNNING' || unit.status === 'DONE') return unit;
    return store.transition(name, { type: 'block', blocked_by: [...unit.blocked_by, other] }, opts);
  }
  const remaining = unit.blocked_by.filter((b) => b !== other);
  if (unit.status === 'NEEDS_ATTENTION' && unit.attention_kind === 'CONFLICT') {
    return remaining.length > 0
      ? store.transition(name, { type: 'block', blocked_by: remaining }, opts)
      : store.transition(name, { type: 'unblock' }, opts);
  }
  if (unit.status === 'BLOCKED' && remaining.length !== unit.blocked_by.length) {
    return remaining.length > 0
      ? store.transition(name, { type: 'block', blocked_by: remaining }, opts)
      : store.transition(name, { type: 'unblock' }, opts);
  }
  return unit;
}
