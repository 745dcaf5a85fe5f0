/** Batch injection order: a topological sort of the batch by declared `depends_on`. */
import { ErrorCode, OrchError } from './errors.js';

export interface DeclaredDeps {
  chunk: string;
  /** null = unknown (the oracle decides); [] = explicitly none */
  depends_on: readonly string[] | null;
}

/**
 * Kahn's algorithm over in-batch dependencies, alphabetical among ties. Dependencies outside the
 * batch must be known units (`isExternalKnown`), else the whole batch is rejected.
 */
export function orderBatch(
  batch: readonly DeclaredDeps[],
  isExternalKnown: (chunk: string) => boolean,
): string[] {
  const inBatch = new Set(batch.map((b) => b.chunk));
  const problems: string[] = [];
  for (const b of batch) {
    for (const d of b.depends_on ?? []) {
      if (d === b.chunk) problems.push(`Chunk '${b.chunk}' depends on itself`);
      else if (!inBatch.has(d) && !isExternalKnown(d)) {
        problems.push(
          `Chunk '${b.chunk}' depends on '${d}' which is not in this batch and not an existing work unit`,
        );
      }
    }
  }
  if (problems.length > 0) throw new OrchError(ErrorCode.invalid_input, problems.join('; '));

  const pending = new Map(
    batch.map((b) => [b.chunk, new Set((b.depends_on ?? []).filter((d) => inBatch.has(d)))]),
  );
  const order: string[] = [];
  while (pending.size > 0) {
    const free = [...pending.entries()]
      .filter(([, deps]) => deps.size === 0)
      .map(([c]) => c)
      .sort();
    if (free.length === 0)
      throw new OrchError(ErrorCode.invalid_input, `Dependency cycle detected: ${findCycle(pending)}`);
    const next = free[0] as string;
    order.push(next);
    pending.delete(next);
    for (const deps of pending.values()) deps.delete(next);
  }
  return order;
}

function findCycle(pending: Map<string, Set<string>>): string {
  const start = [...pending.keys()].sort()[0] as string;
  const path = [start];
  let at = start;
  for (;;) {
    const next = [...(pending.get(at) ?? [])].sort()[0];
    if (next === undefined) return path.join(' -> ');
    const seenAt = path.indexOf(next);
    if (seenAt >= 0) return [...path.slice(seenAt), next].join(' -> ');
    path.push(next);
    at = next;
  }
}
