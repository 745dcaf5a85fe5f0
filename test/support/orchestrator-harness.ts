/**
 * An in-process orchestrator for service-level tests: the real composition root with the real
 * SqliteStore (:memory:), the real FsChunkRepo on a temp folder, the real scheduler and runner, and
 * fakes for the agent, git and the clock.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServices } from '../../src/daemon/api-services.js';
import { compose, type Parts } from '../../src/daemon/compose.js';
import type { WorkUnit } from '../../src/domain/work-unit.js';
import { silentLogger } from '../../src/infra/json-logger.js';
import { FakeAgentBackend } from '../fakes/fake-agent-backend.js';
import { FakeLanding } from '../fakes/fake-landing.js';
import { FakeVerifier } from '../fakes/fake-verifier.js';
import { FakeWorktrees } from '../fakes/fake-worktrees.js';
import { ManualClock } from '../fakes/manual-clock.js';

export interface ChunkSpec {
  status?: string;
  depends_on?: string[] | null;
  goal?: string;
  plan?: string;
}

export const WRITTEN_PLAN = '# Plan\n\n## Approach\n\nDo the thing.\n';

export function writeChunk(root: string, name: string, spec: ChunkSpec = {}): void {
  const dir = join(root, 'docs', 'chunks', name);
  mkdirSync(dir, { recursive: true });
  const deps =
    spec.depends_on === undefined
      ? '[]'
      : spec.depends_on === null
        ? 'null'
        : `[${spec.depends_on.join(', ')}]`;
  writeFileSync(
    join(dir, 'GOAL.md'),
    `---\nstatus: ${spec.status ?? 'ACTIVE'}\ndepends_on: ${deps}\n---\n# Goal\n\n## Minor Goal\n\n${spec.goal ?? `Make ${name} happen.`}\n`,
  );
  writeFileSync(join(dir, 'PLAN.md'), spec.plan ?? WRITTEN_PLAN);
}

/** Resolves once `predicate` holds for the unit, re-checking on every committed change. */
export function unitWaiter(parts: Pick<Parts, 'store' | 'bus'>, guardMs = 10_000) {
  return (chunk: string, predicate: (u: WorkUnit) => boolean, what = 'condition'): Promise<WorkUnit> =>
    new Promise((resolve, reject) => {
      const check = async () => {
        const unit = await parts.store.get(chunk);
        if (unit && predicate(unit)) {
          stop();
          clearTimeout(guard);
          resolve(unit);
        }
      };
      const stop = parts.bus.subscribe(() => void check());
      // a guard against hanging forever, not a timing assertion
      const guard = setTimeout(async () => {
        stop();
        reject(
          new Error(
            `timed out waiting for ${chunk}: ${what}; unit is ${JSON.stringify(await parts.store.get(chunk))}`,
          ),
        );
      }, guardMs);
      void check();
    });
}

export async function makeOrchestrator(
  opts: { chunks?: Record<string, ChunkSpec>; maxAgents?: number } = {},
) {
  const root = mkdtempSync(join(tmpdir(), 've-orch-'));
  for (const [name, spec] of Object.entries(opts.chunks ?? {})) writeChunk(root, name, spec);
  const clock = new ManualClock(Date.now());
  const backend = new FakeAgentBackend();
  const worktrees = new FakeWorktrees(root);
  const landing = new FakeLanding();
  const verifier = new FakeVerifier(landing);
  const parts: Parts = await compose({
    root,
    log: silentLogger,
    clock,
    backend,
    worktrees,
    landing,
    verifier,
    dbPath: ':memory:',
  });
  await parts.store.patchConfig({ max_agents: opts.maxAgents ?? 2 });
  const services = createApiServices(parts);

  const waitForUnit = unitWaiter(parts);

  return {
    root,
    parts,
    services,
    clock,
    backend,
    worktrees,
    landing,
    verifier,
    waitForUnit,
    start: async () => {
      await parts.scheduler.start();
      await parts.train.start();
    },
    stop: async () => {
      await parts.scheduler.stop();
      await parts.train.stop();
    },
  };
}
