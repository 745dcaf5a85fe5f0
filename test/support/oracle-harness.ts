/**
 * OracleService wired to the real SqliteStore (:memory:) and FsChunkRepo on a temp dir, a scripted
 * `probe` and a recording logger: the harness for the oracle service tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsChunkRepo } from '../../src/chunks/fs-chunk-repo.js';
import { sortedPair } from '../../src/domain/conflict.js';
import type { WorkUnit } from '../../src/domain/work-unit.js';
import { createJsonLogger } from '../../src/infra/json-logger.js';
import { OracleService } from '../../src/oracle/oracle-service.js';
import type { LiveProbe, Worktrees } from '../../src/ports/worktrees.js';
import { aWorkUnit, makeStoreHarness } from '../builders.js';
import { type GoalSpec, type PlanSpec, writeChunk } from './chunk-docs.js';

/**
 * `probe` answers from a table keyed by the sorted pair; unknown pairs merge cleanly. `branchTips`
 * reports `tips`: the harness gives every unit created with a worktree a branch, `commit` moves one.
 */
export class ScriptedProbe implements Pick<Worktrees, 'probe' | 'branchTips'> {
  readonly calls: string[] = [];
  readonly answers = new Map<string, LiveProbe | Error>();
  readonly tips = new Map<string, string>();

  /** a new commit on the chunk's branch */
  commit(chunk: string): void {
    const n = Number((this.tips.get(chunk) ?? '@-1').split('@')[1]) + 1;
    this.tips.set(chunk, `${chunk}@${n}`);
  }

  /** how many times `branchTips` was called */
  tipReads = 0;

  async branchTips(): Promise<Map<string, string>> {
    this.tipReads += 1;
    return new Map(this.tips);
  }

  set(a: string, b: string, answer: LiveProbe | Error): void {
    this.answers.set(sortedPair(a, b).join('+'), answer);
  }

  async probe(a: string, b: string): Promise<LiveProbe> {
    const key = sortedPair(a, b).join('+');
    this.calls.push(key);
    const answer = this.answers.get(key) ?? { clean: true, conflicting_files: [] };
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** The real FsChunkRepo, counting reads (to prove a pass reads each chunk once). */
class CountingChunkRepo extends FsChunkRepo {
  readonly reads: string[] = [];
  override read(name: string, root?: string) {
    this.reads.push(name);
    return super.read(name, root);
  }
}

export interface LogLine {
  level: string;
  msg: string;
  chunk?: string;
  other?: string;
}

export function makeOracleHarness(opts: { skipDocPhases?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 've-oracle-svc-'));
  const { store, clock } = makeStoreHarness();
  const probe = new ScriptedProbe();
  const logs: LogLine[] = [];
  const log = createJsonLogger((line) => logs.push(JSON.parse(line) as LogLine), { level: 'debug' });
  const config = { oracle_decide_threshold: 0.8 };
  const chunks = new CountingChunkRepo(root);
  const oracle = new OracleService({
    store,
    chunks,
    worktrees: probe,
    config: () => config,
    clock,
    log,
    skipDocPhases: opts.skipDocPhases,
  });
  return {
    root,
    store,
    probe,
    reads: chunks.reads,
    logs,
    config,
    oracle,
    /** a chunk in the host repo (or in `at`, e.g. a worktree) with a plan naming `locations` */
    chunk(name: string, locations: string[] | null, at = root, goal: Partial<GoalSpec> = {}): void {
      const plan: PlanSpec | null = locations
        ? { approach: `Work for ${name}.`, steps: locations.map((l) => `Location: ${l}`) }
        : null;
      writeChunk(at, name, { goal: `Deliver ${name}.`, ...goal }, plan);
    },
    async unit(fields: Parameters<typeof aWorkUnit>[0]): Promise<WorkUnit> {
      if (fields.chunk && fields.worktree && !probe.tips.has(fields.chunk)) probe.commit(fields.chunk);
      return store.create(aWorkUnit({ phase: 'IMPLEMENT', status: 'RUNNING', ...fields }), { source: 'api' });
    },
    worktreeDir(name: string): string {
      return mkdtempSync(join(root, `.wt-${name}-`));
    },
    close(): void {
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
