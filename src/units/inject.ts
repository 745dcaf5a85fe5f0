/**
 * Injection: turns chunk documents into work units. A batch is all-or-nothing: every name, document
 * and dependency is checked first, then the units are created in dependency order in one transaction.
 */
import { decideInjectability, planHasContent } from '../domain/chunk-doc.js';
import { type ChunkName, toChunkName } from '../domain/chunk-name.js';
import { orderBatch } from '../domain/dependency-order.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { newWorkUnit, type Phase, type WorkUnit } from '../domain/work-unit.js';
import type { ChunkDoc, ChunkRepo } from '../ports/chunks.js';
import { type Clock, isoNow } from '../ports/clock.js';
import type { UnitStore } from '../ports/store.js';

export interface InjectDeps {
  store: UnitStore;
  chunks: ChunkRepo;
  clock: Clock;
}

export interface InjectInput {
  chunks: string[];
  phase?: Phase;
  priority?: number;
  retain?: boolean;
  actor?: string;
}

export const MAX_BATCH = 500;

export async function injectBatch(
  deps: InjectDeps,
  input: InjectInput,
): Promise<{ results: WorkUnit[]; warnings: string[] }> {
  if (input.chunks.length === 0)
    throw new OrchError(ErrorCode.invalid_input, 'name at least one chunk to inject');
  if (input.chunks.length > MAX_BATCH)
    throw new OrchError(ErrorCode.invalid_input, `at most ${MAX_BATCH} chunks per batch`);
  const names = input.chunks.map(toChunkName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new OrchError(ErrorCode.invalid_input, `chunk '${dup}' is named twice in this batch`);

  const existing = new Map((await deps.store.list()).map((u) => [u.chunk as string, u]));
  for (const n of names) {
    const u = existing.get(n);
    if (u)
      throw new OrchError(
        ErrorCode.already_exists,
        `work unit for chunk '${n}' already exists (status: ${u.status})`,
        { chunk: n },
      );
  }

  const docs = new Map<string, ChunkDoc>();
  const warnings: string[] = [];
  const starts = new Map<string, Phase>();
  for (const n of names) {
    if (!(await deps.chunks.exists(n))) {
      throw new OrchError(
        ErrorCode.not_found,
        `chunk '${n}' not found: there is no docs/chunks/${n}/GOAL.md`,
        { chunk: n },
      );
    }
    const doc = await deps.chunks.read(n);
    for (const d of doc.depends_on ?? []) {
      if (!isValidName(d))
        throw new OrchError(
          ErrorCode.malformed_chunk,
          `chunk '${n}': depends_on names an invalid chunk ${JSON.stringify(d)}`,
        );
    }
    const decision = decideInjectability(
      { status: doc.status, planWritten: planHasContent(doc.plan) },
      input.phase,
    );
    if (!decision.ok)
      throw new OrchError(ErrorCode.invalid_input, `chunk '${n}': ${decision.reason}`, { chunk: n });
    warnings.push(...decision.warnings.map((w) => `${n}: ${w}`));
    docs.set(n, doc);
    starts.set(n, decision.phase);
  }

  const order = orderBatch(
    names.map((n) => ({ chunk: n, depends_on: docs.get(n)?.depends_on ?? null })),
    (c) => existing.has(c),
  );
  const now = isoNow(deps.clock);
  const batch = new Set<string>(names);
  const units = order.map((n, i) => {
    const declared = docs.get(n)?.depends_on ?? null;
    const blockers = (declared ?? []).filter(
      (d) => batch.has(d) || existing.get(d)?.status !== 'DONE',
    ) as ChunkName[];
    return newWorkUnit({
      chunk: n as ChunkName,
      phase: starts.get(n) as Phase,
      status: blockers.length > 0 ? 'BLOCKED' : 'READY',
      blocked_by: blockers,
      priority: input.priority ?? 0,
      explicit_deps: declared !== null,
      retain_worktree: input.retain ?? false,
      // later units in the batch sort after earlier ones, keeping the dependency order visible
      now: new Date(Date.parse(now) + i).toISOString(),
    });
  });
  await deps.store.createMany(units, { source: 'api', reason: 'injected', actor: input.actor ?? 'operator' });
  return { results: units, warnings };
}

function isValidName(name: string): boolean {
  try {
    toChunkName(name);
    return true;
  } catch (e) {
    if (e instanceof OrchError) return false;
    throw e;
  }
}
