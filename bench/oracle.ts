/**
 * Oracle bench: 200 synthetic chunks with realistic GOAL/PLAN docs in a temp repo, every pair analyzed
 * at PLAN stage (no git). Prints time per pair and per pass: a full pass (each chunk read once, every
 * pair scored and persisted in SQLite), the one-off `analyze` a gate cache miss runs, and scoring
 * alone. Run: node dist/bench/oracle.js [units]; `measureOracle` feeds the `npm run bench` table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FsChunkRepo } from '../src/chunks/fs-chunk-repo.js';
import { InProcessEventBus } from '../src/infra/event-bus.js';
import { silentLogger } from '../src/infra/json-logger.js';
import { systemClock } from '../src/infra/system-clock.js';
import { extractEvidence, pairStage } from '../src/oracle/evidence.js';
import { OracleService } from '../src/oracle/oracle-service.js';
import { policyFrom, scorePair } from '../src/oracle/score.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { writeChunk } from '../test/support/chunk-docs.js';

/** pairs timed through the one-off `analyze` path (re-reads both docs per pair) */
const SAMPLE = 1000;

/** deterministic PRNG so every run scores the same documents */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AREAS = [
  'scheduler',
  'runner',
  'store',
  'api',
  'cli',
  'dashboard',
  'git',
  'oracle',
  'attention',
  'config',
];
const FILES = ['index', 'service', 'rules', 'adapter', 'types', 'errors', 'cache', 'events'];
const SYMBOLS = ['run', 'decide', 'apply', 'load', 'save', 'render', 'validate', 'merge', 'retry', 'notify'];
const NOUNS = [
  'retry budget',
  'queue depth',
  'merge order',
  'stall timer',
  'webhook',
  'audit trail',
  'cost total',
];

function generate(root: string, n: number): string[] {
  const rnd = mulberry32(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `chunk_${String(i).padStart(3, '0')}`;
    const area = pick(AREAS);
    const locations = Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => {
      const file = `src/${rnd() < 0.7 ? area : pick(AREAS)}/${pick(FILES)}.ts`;
      return rnd() < 0.8 ? `${file}#${pick(SYMBOLS)}${pick(['', 'Unit', 'Phase', 'Item'])}` : file;
    });
    const noun = pick(NOUNS);
    writeChunk(
      root,
      name,
      {
        status: 'IMPLEMENTING',
        code_paths: [`src/${area}/`],
        goal: `Make the ${area} ${noun} observable and bounded: expose \`${area}_${noun.replace(' ', '_')}\` and stop the daemon from growing it without limit. Operators see it in the dashboard.`,
        criteria: [`A test drives the ${noun} past its bound`, 'The dashboard shows the value'],
      },
      {
        approach: `Track the ${noun} in the ${area} service and publish it on change.`,
        steps: locations.map((l, k) => `Step ${k + 1} for the ${noun}.\n   Location: \`${l}\``),
      },
    );
    names.push(name);
  }
  return names;
}

export interface OracleResult {
  units: number;
  pairs: number;
  /** full pass: analyzePairs (each chunk read once, every pair scored and persisted) */
  passMs: number;
  /** one-off analyze on a sample of pairs */
  analyzeSample: number;
  analyzeMs: number;
  /** read + parse every chunk */
  extractMs: number;
  /** scoring every pair with evidence in memory */
  scoreMs: number;
  verdicts: Record<string, number>;
}

export async function measureOracle(units = 200): Promise<OracleResult> {
  const root = mkdtempSync(join(tmpdir(), 've-bench-oracle-'));
  const bus = new InProcessEventBus((e) => {
    throw e;
  });
  const store = new SqliteStore({ path: ':memory:', bus, clock: systemClock, log: silentLogger });
  try {
    const names = generate(root, units);
    const chunks = new FsChunkRepo(root);
    const pairs: [string, string][] = [];
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) pairs.push([names[i] as string, names[j] as string]);

    const oracle = new OracleService({
      store,
      chunks,
      worktrees: {
        probe: async () => ({ clean: true, conflicting_files: [] }),
        branchTips: async () => new Map(),
      },
      config: () => ({ oracle_decide_threshold: 0.8 }),
      clock: systemClock,
      log: silentLogger,
    });
    // a full pass: every pair, each chunk read once (OracleService.analyzePairs)
    const verdicts: Record<string, number> = {};
    let t0 = performance.now();
    const pass = await oracle.analyzePairs(pairs);
    const passMs = performance.now() - t0;
    if (pass.failed.length > 0)
      throw new Error(`${pass.failed.length} pairs failed: ${pass.failed[0]?.error}`);
    for (const r of pass.analyses) {
      if (r.stage !== 'PLAN')
        throw new Error(`${r.chunk_a}/${r.chunk_b} analyzed at ${r.stage}, expected PLAN`);
      verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
    }

    // one-off analyze (what the gate does on a cache miss): reads both docs every time; a sample
    const sample = pairs.filter((_, k) => k % Math.max(1, Math.floor(pairs.length / SAMPLE)) === 0);
    t0 = performance.now();
    for (const [a, b] of sample) await oracle.analyze(a, b);
    const analyzeMs = performance.now() - t0;

    t0 = performance.now();
    const evidence = await Promise.all(names.map(async (n) => extractEvidence(await chunks.read(n))));
    const extractMs = performance.now() - t0;
    const policy = policyFrom({ oracle_decide_threshold: 0.8 });
    t0 = performance.now();
    for (let i = 0; i < evidence.length; i++) {
      for (let j = i + 1; j < evidence.length; j++) {
        const a = evidence[i]!;
        const b = evidence[j]!;
        scorePair(a, b, pairStage(a, b), policy);
      }
    }
    const scoreMs = performance.now() - t0;

    return {
      units,
      pairs: pairs.length,
      passMs,
      analyzeSample: sample.length,
      analyzeMs,
      extractMs,
      scoreMs,
      verdicts,
    };
  } finally {
    store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function printTable(r: OracleResult): void {
  const row = (what: string, n: number, ms: number) =>
    `| ${what.padEnd(44)} | ${String(n).padStart(6)} | ${ms.toFixed(1).padStart(9)} | ${((ms * 1000) / n).toFixed(1).padStart(9)} |`;
  console.log(`oracle bench: ${r.units} units, ${r.pairs} pairs, PLAN stage, node ${process.version}`);
  console.log(
    `| ${'measure'.padEnd(44)} | ${'items'.padStart(6)} | ${'pass ms'.padStart(9)} | ${'µs / item'.padStart(9)} |`,
  );
  console.log(`|${'-'.repeat(46)}|${'-'.repeat(8)}|${'-'.repeat(11)}|${'-'.repeat(11)}|`);
  console.log(row('pass: analyzePairs (read once, score, upsert)', r.pairs, r.passMs));
  console.log(row('one-off analyze (read 2 docs, score, upsert)', r.analyzeSample, r.analyzeMs));
  console.log(row('extract evidence (read + parse one chunk)', r.units, r.extractMs));
  console.log(row('score only (evidence in memory)', r.pairs, r.scoreMs));
  console.log(`verdicts: ${JSON.stringify(r.verdicts)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await measureOracle(Number(process.argv[2] ?? 200)));
}
