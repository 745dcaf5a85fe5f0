import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeChunk } from '../../test/support/chunk-docs.js';
import { FIXTURE_CHUNKS } from '../../test/support/oracle-fixtures.js';
import { FsChunkRepo } from '../chunks/fs-chunk-repo.js';
import type { AnalysisStage, Verdict } from '../domain/conflict.js';
import { type ChunkEvidence, extractEvidence, pairStage } from './evidence.js';
import { applyLiveProbe, DEFAULT_WEIGHTS, type PairScore, policyFrom, scorePair } from './score.js';

interface Row {
  name: string;
  a: string;
  b: string;
  decide?: number;
  verdict: Verdict;
  stage: AnalysisStage;
  files?: string[];
  symbols?: string[];
  reason?: RegExp;
}

const ROWS: Row[] = [
  {
    name: 'independent files at PLAN',
    a: 'rate_limit',
    b: 'cost_column',
    verdict: 'INDEPENDENT',
    stage: 'PLAN',
    files: [],
    reason: /no shared files or symbols/,
  },
  {
    name: 'same file, different symbols leans INDEPENDENT (git merges disjoint hunks; LIVE catches the rest)',
    a: 'ready_queue_aging',
    b: 'dispatch_backoff',
    verdict: 'INDEPENDENT',
    stage: 'PLAN',
    files: ['src/scheduler/ready-queue.ts'],
    symbols: [],
    reason: /different symbols: src\/scheduler\/ready-queue\.ts \(orderReady vs dueForRetry\)/,
  },
  {
    name: 'same symbol: method inside a class the other rewrites whole',
    a: 'transition_audit',
    b: 'optimistic_retry',
    verdict: 'SERIALIZE',
    stage: 'PLAN',
    files: ['src/store/sqlite-store.ts'],
    symbols: ['src/store/sqlite-store.ts#SqliteStore', 'src/store/sqlite-store.ts#SqliteStore::transition'],
    reason: /same symbol/,
  },
  {
    name: 'same symbol: both add a key to ConfigSchema',
    a: 'rate_limit',
    b: 'config_reload',
    verdict: 'SERIALIZE',
    stage: 'PLAN',
    files: ['src/config/schema.ts'],
    symbols: ['src/config/schema.ts#ConfigSchema'],
  },
  {
    name: 'boilerplate-only overlap (template text, frontmatter, "orchestrator ... leaves ... alone")',
    a: 'webhook_notify',
    b: 'worktree_prune',
    verdict: 'INDEPENDENT',
    stage: 'GOAL',
    files: [],
    reason: /no shared paths or content terms/,
  },
  {
    name: 'renamed path: the old name meets a plan editing it',
    a: 'prompt_rename',
    b: 'prompt_sections',
    verdict: 'ASK_OPERATOR',
    stage: 'PLAN',
    files: ['src/runner/prompt.ts'],
    reason: /same file: src\/runner\/prompt\.ts/,
  },
  {
    name: 'renamed path: the new name meets a plan using it',
    a: 'prompt_rename',
    b: 'prompt_cache',
    verdict: 'ASK_OPERATOR',
    stage: 'PLAN',
    files: ['src/runner/prompt-builder.ts'],
  },
  {
    name: 'renamed path with a lower threshold decides',
    a: 'prompt_rename',
    b: 'prompt_sections',
    decide: 0.5,
    verdict: 'SERIALIZE',
    stage: 'PLAN',
  },
  {
    name: 'GOAL code_paths: three shared files serialize',
    a: 'api_auth',
    b: 'api_errors',
    verdict: 'SERIALIZE',
    stage: 'GOAL',
    files: ['src/api/auth.ts', 'src/api/errors.ts', 'src/api/server.ts'],
  },
  {
    name: 'GOAL code_paths: one shared file asks',
    a: 'api_auth',
    b: 'api_metrics',
    verdict: 'ASK_OPERATOR',
    stage: 'GOAL',
    files: ['src/api/server.ts'],
  },
  {
    name: 'GOAL code_paths: a directory overlaps the files beneath it',
    a: 'api_docs',
    b: 'api_metrics',
    verdict: 'ASK_OPERATOR',
    stage: 'GOAL',
    files: ['src/api/server.ts'],
    reason: /same directory tree/,
  },
  {
    name: 'GOAL content: shared identifiers ask',
    a: 'stall_detect',
    b: 'stall_notify',
    verdict: 'ASK_OPERATOR',
    stage: 'GOAL',
    reason: /stall_timeout_seconds.*agentbackend\.interrupt|agentbackend\.interrupt.*stall_timeout_seconds/,
  },
  {
    name: 'COMPLETED: a shared method serializes',
    a: 'done_store',
    b: 'transition_audit',
    verdict: 'SERIALIZE',
    stage: 'PLAN',
    symbols: ['src/store/sqlite-store.ts#SqliteStore::transition'],
  },
  {
    name: 'COMPLETED: sibling methods in one file stay independent',
    a: 'done_store',
    b: 'done_store_get',
    verdict: 'INDEPENDENT',
    stage: 'COMPLETED',
    files: ['src/store/sqlite-store.ts'],
  },
  {
    name: 'COMPLETED: a whole-file reference contains the symbols in it',
    a: 'done_store',
    b: 'done_domain',
    verdict: 'ASK_OPERATOR',
    stage: 'COMPLETED',
    files: ['src/domain/transitions.ts'],
  },
  {
    name: 'PROPOSED: a template-only goal gives no evidence of overlap, which is no reason to ask',
    a: 'empty',
    b: 'rate_limit',
    verdict: 'INDEPENDENT',
    stage: 'PROPOSED',
    files: [],
    reason: /empty has no usable evidence yet.*no evidence of overlap, so nobody is asked/,
  },
  {
    name: 'PROPOSED at the lowest threshold: no evidence never serializes either',
    a: 'empty',
    b: 'api_auth',
    decide: 0.5,
    verdict: 'INDEPENDENT',
    stage: 'PROPOSED',
  },
];

describe('oracle scoring over realistic chunk pairs', () => {
  const evidence = new Map<string, ChunkEvidence>();
  let root = '';
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 've-oracle-score-'));
    const repo = new FsChunkRepo(root);
    for (const [name, c] of Object.entries(FIXTURE_CHUNKS)) writeChunk(root, name, c.goal, c.plan);
    for (const name of Object.keys(FIXTURE_CHUNKS))
      evidence.set(name, extractEvidence(await repo.read(name)));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const score = (a: string, b: string, decide = 0.8): PairScore => {
    const ea = evidence.get(a)!;
    const eb = evidence.get(b)!;
    return scorePair(ea, eb, pairStage(ea, eb), policyFrom({ oracle_decide_threshold: decide }));
  };

  for (const row of ROWS) {
    it(row.name, () => {
      const s = score(row.a, row.b, row.decide);
      assert.equal(s.verdict, row.verdict, s.reason);
      assert.equal(s.stage, row.stage);
      if (row.files) assert.deepEqual(s.overlapping_files, row.files);
      if (row.symbols) assert.deepEqual(s.overlapping_symbols, row.symbols);
      if (row.reason) assert.match(s.reason, row.reason);
      assert.match(s.reason, new RegExp(`score ${s.score} → ${s.verdict}`), 'the reason states the score');
      assert.ok(s.confidence >= 0 && s.confidence <= 1);
      const swapped = score(row.b, row.a, row.decide);
      assert.deepEqual([swapped.verdict, swapped.score], [s.verdict, s.score], 'symmetric');
    });
  }

  it('confidence follows the score: decided verdicts are more confident the further they are', () => {
    const same = score('transition_audit', 'optimistic_retry');
    const none = score('rate_limit', 'cost_column');
    assert.ok(same.confidence >= 0.9 && none.confidence >= 0.9, `${same.confidence} ${none.confidence}`);
    assert.ok(score('api_auth', 'api_metrics').confidence < 0.8);
  });

  it('a LIVE conflict dominates; a clean probe lowers the score once code is written', () => {
    const policy = policyFrom({ oracle_decide_threshold: 0.8 });
    const doc = score('prompt_rename', 'prompt_sections');
    const conflict = applyLiveProbe(
      doc,
      { clean: false, conflicting_files: ['src/b.ts', 'src/a.ts'] },
      'in-progress',
      policy,
    );
    assert.deepEqual(
      [conflict.verdict, conflict.confidence, conflict.stage, conflict.overlapping_files],
      ['SERIALIZE', 1, 'LIVE', ['src/a.ts', 'src/b.ts']],
    );
    const early = applyLiveProbe(doc, { clean: true, conflicting_files: [] }, 'not-implementing', policy);
    assert.deepEqual([early.verdict, early.stage, early.score], [doc.verdict, doc.stage, doc.score]);
    const inProgress = applyLiveProbe(doc, { clean: true, conflicting_files: [] }, 'in-progress', policy);
    const finished = applyLiveProbe(doc, { clean: true, conflicting_files: [] }, 'finished', policy);
    assert.equal(inProgress.stage, 'LIVE');
    assert.ok(finished.score < inProgress.score && inProgress.score < doc.score);
    assert.equal(finished.verdict, 'INDEPENDENT', finished.reason);
    assert.match(finished.reason, /merge cleanly.*documents said PLAN: same file/);
  });

  it('without evidence of overlap only a real LIVE conflict changes the verdict', () => {
    const policy = policyFrom({ oracle_decide_threshold: 0.8 });
    const doc = score('empty', 'rate_limit');
    assert.equal(doc.verdict, 'INDEPENDENT');
    for (const state of ['not-implementing', 'in-progress', 'finished'] as const) {
      const clean = applyLiveProbe(doc, { clean: true, conflicting_files: [] }, state, policy);
      assert.equal(clean.verdict, 'INDEPENDENT', `${state}: ${clean.reason}`);
    }
    const conflict = applyLiveProbe(
      doc,
      { clean: false, conflicting_files: ['x.ts'] },
      'in-progress',
      policy,
    );
    assert.equal(conflict.verdict, 'SERIALIZE');
  });

  it('the boilerplate-only pair does share template and frontmatter words before they are removed', async () => {
    const repo = new FsChunkRepo(root);
    const raw = async (n: string) => extractEvidence(await repo.read(n), new Set());
    const [a, b] = [await raw('webhook_notify'), await raw('worktree_prune')];
    const shared = [...a.terms.keys()].filter((t) => b.terms.has(t));
    for (const w of ['orchestrator', 'leave', 'alone', 'goal', 'criteria', 'scope'])
      assert.ok(shared.includes(w), w);
    assert.notEqual(
      scorePair(a, b, 'GOAL', policyFrom({ oracle_decide_threshold: 0.8 })).verdict,
      'INDEPENDENT',
    );
  });

  it('weights are configurable', () => {
    const ea = evidence.get('ready_queue_aging')!;
    const eb = evidence.get('dispatch_backoff')!;
    const strict = { ...DEFAULT_WEIGHTS, differentSymbols: 0.5 };
    const s = scorePair(ea, eb, 'PLAN', { decide: 0.8, weights: strict });
    assert.equal(s.verdict, 'ASK_OPERATOR');
  });
});
