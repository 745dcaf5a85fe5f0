/**
 * Scores a pair of chunks from their evidence: a conflict score 0..1 built from explainable parts,
 * then a verdict by the configured threshold. Pure; the oracle service does the reading and the git.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import type { AnalysisStage, Verdict } from '../domain/conflict.js';
import type { LiveProbe } from '../ports/worktrees.js';
import { type ChunkEvidence, type DocStage, locationsAt } from './evidence.js';
import { type Location, pathsOverlap, symbolsRelated } from './locations.js';
import { termOverlap } from './terms.js';

/**
 * Parts are combined like independent risks: score = 1 − (1 − base)·Π(1 − part). One same-symbol hit
 * decides alone; whole-file overlaps need three to reach SERIALIZE; files where both sides name only
 * different symbols merge cleanly in git as a rule, so one such file stays INDEPENDENT and several ask.
 */
export interface ScoringWeights {
  /** the same symbol, or one containing the other (`Class` ⊃ `Class::method`), in the same file */
  sameSymbol: number;
  /** the same file, named whole by at least one side */
  sameFile: number;
  /** a directory holding the other side's path, or the same directory on both sides */
  directory: number;
  /** the same file, both sides naming only different symbols in it */
  differentSymbols: number;
  /** the most that shared GOAL content terms alone add (times their weighted overlap 0..1) */
  terms: number;
  /** the score when nothing overlaps: what the stage's evidence cannot see */
  base: Record<DocStage, number>;
  /** a clean LIVE probe multiplies the document score by these */
  liveCleanInProgress: number;
  liveCleanFinished: number;
}

export const DEFAULT_WEIGHTS: ScoringWeights = {
  sameSymbol: 0.95,
  sameFile: 0.5,
  directory: 0.35,
  differentSymbols: 0.12,
  terms: 0.7,
  base: { PROPOSED: 0.5, GOAL: 0.1, PLAN: 0.05, COMPLETED: 0.02 },
  liveCleanInProgress: 0.6,
  liveCleanFinished: 0.3,
};

export interface ScoringPolicy {
  /** scores ≥ decide → SERIALIZE; ≤ 1 − decide → INDEPENDENT; between → ASK_OPERATOR */
  decide: number;
  weights: ScoringWeights;
}

export function policyFrom(
  config: Pick<OrchestratorConfig, 'oracle_decide_threshold'>,
  weights: ScoringWeights = DEFAULT_WEIGHTS,
): ScoringPolicy {
  return { decide: config.oracle_decide_threshold, weights };
}

export interface PairScore {
  verdict: Verdict;
  /**
   * whether any evidence of overlap was found (shared locations or terms). Without it the verdict is
   * INDEPENDENT whatever the stage's base risk: no evidence is no reason to interrupt the operator,
   * and a real collision still shows in a LIVE probe and at the merge.
   */
  evidence: boolean;
  /** SERIALIZE: the score; INDEPENDENT: 1 − score; ASK_OPERATOR: how far it leans either way */
  confidence: number;
  score: number;
  stage: AnalysisStage;
  reason: string;
  overlapping_files: string[];
  overlapping_symbols: string[];
}

type OverlapKind = 'sameSymbol' | 'sameFile' | 'directory' | 'differentSymbols';

interface FileOverlap {
  file: string;
  kind: OverlapKind;
  /** `path#Symbol` on both sides that are the same or nested */
  symbols: Set<string>;
  /** symbols each side names in this file (for the "different symbols" explanation) */
  mine: Set<string>;
  theirs: Set<string>;
}

const EPS = 1e-9;
const SHOWN = 5;

function classify(a: Location, b: Location): OverlapKind {
  if (a.path !== b.path) return 'directory';
  if (a.symbol && b.symbol) return symbolsRelated(a.symbol, b.symbol) ? 'sameSymbol' : 'differentSymbols';
  return a.dir || b.dir ? 'directory' : 'sameFile';
}

/** Every file (or directory) both sides name, with the strongest kind of overlap found in it. */
export function compareLocations(mine: Location[], theirs: Location[], w = DEFAULT_WEIGHTS): FileOverlap[] {
  const byFile = new Map<string, FileOverlap>();
  for (const a of mine) {
    for (const b of theirs) {
      if (!pathsOverlap(a.path, b.path)) continue;
      const file = a.path.length >= b.path.length ? a.path : b.path;
      const kind = classify(a, b);
      const o = byFile.get(file) ?? { file, kind, symbols: new Set(), mine: new Set(), theirs: new Set() };
      if (w[kind] > w[o.kind]) o.kind = kind;
      if (kind === 'sameSymbol') {
        o.symbols.add(`${a.path}#${a.symbol}`);
        o.symbols.add(`${b.path}#${b.symbol}`);
      }
      if (a.symbol) o.mine.add(a.symbol);
      if (b.symbol) o.theirs.add(b.symbol);
      byFile.set(file, o);
    }
  }
  return [...byFile.values()].sort((x, y) => w[y.kind] - w[x.kind] || (x.file < y.file ? -1 : 1));
}

export function combine(parts: number[]): number {
  return 1 - parts.reduce((keep, p) => keep * (1 - Math.min(1, Math.max(0, p))), 1);
}

export function decideVerdict(
  score: number,
  decide: number,
  evidence = true,
): { verdict: Verdict; confidence: number } {
  if (!evidence) return { verdict: 'INDEPENDENT', confidence: round(1 - score) };
  if (score >= decide - EPS) return { verdict: 'SERIALIZE', confidence: round(score) };
  if (score <= 1 - decide + EPS) return { verdict: 'INDEPENDENT', confidence: round(1 - score) };
  return { verdict: 'ASK_OPERATOR', confidence: round(Math.max(score, 1 - score)) };
}

/** Scores two chunks at `stage` (the best both support; see pairStage). */
export function scorePair(
  a: ChunkEvidence,
  b: ChunkEvidence,
  stage: DocStage,
  policy: ScoringPolicy,
): PairScore {
  const w = policy.weights;
  const overlaps = compareLocations(locationsAt(a, stage), locationsAt(b, stage), w);
  const parts = [w.base[stage], ...overlaps.map((o) => w[o.kind])];
  const why: string[] = explainOverlaps(overlaps);
  if (stage === 'GOAL' || stage === 'PROPOSED') {
    const t = termOverlap(a.terms, b.terms);
    if (t.shared.length > 0) {
      parts.push(w.terms * t.overlap);
      why.push(`shared content terms: ${list(t.shared)} (overlap ${round(t.overlap)})`);
    }
  }
  if (stage === 'PROPOSED') {
    const empty = [a, b].filter((e) => e.stage === 'PROPOSED').map((e) => e.chunk);
    why.unshift(`${empty.join(' and ')} ${empty.length > 1 ? 'have' : 'has'} no usable evidence yet`);
  }
  if (why.length === 0) {
    why.push(
      stage === 'GOAL'
        ? 'no shared paths or content terms (template and frontmatter words ignored)'
        : 'no shared files or symbols',
    );
  }
  const score = combine(parts);
  // parts beyond the stage's base are the evidence of overlap
  return finish(score, stage, why, overlaps, policy, parts.length > 1);
}

function finish(
  score: number,
  stage: AnalysisStage,
  why: string[],
  overlaps: FileOverlap[],
  policy: ScoringPolicy,
  evidence: boolean,
): PairScore {
  const { verdict, confidence } = decideVerdict(score, policy.decide, evidence);
  const band = `${round(1 - policy.decide)}..${round(policy.decide)}`;
  const rule = evidence ? `ask band ${band}` : 'no evidence of overlap, so nobody is asked';
  return {
    verdict,
    evidence,
    confidence,
    score: round(score),
    stage,
    reason: `${stage}: ${why.join('; ')}; score ${round(score)} → ${verdict} (${rule})`,
    overlapping_files: overlaps.map((o) => o.file).sort(),
    overlapping_symbols: [...new Set(overlaps.flatMap((o) => [...o.symbols]))].sort(),
  };
}

function explainOverlaps(overlaps: FileOverlap[]): string[] {
  const of = (k: OverlapKind) => overlaps.filter((o) => o.kind === k);
  const out: string[] = [];
  const sym = of('sameSymbol').flatMap((o) => [...o.symbols]);
  if (sym.length > 0) out.push(`same symbol: ${list([...new Set(sym)].sort())}`);
  if (of('sameFile').length > 0) out.push(`same file: ${list(of('sameFile').map((o) => o.file))}`);
  if (of('directory').length > 0)
    out.push(`same directory tree: ${list(of('directory').map((o) => o.file))}`);
  const diff = of('differentSymbols').map(
    (o) => `${o.file} (${[...o.mine].sort().join(', ')} vs ${[...o.theirs].sort().join(', ')})`,
  );
  if (diff.length > 0) out.push(`same file, different symbols: ${list(diff)}`);
  return out;
}

export type LiveState = 'not-implementing' | 'in-progress' | 'finished';

/**
 * Folds a merge-tree probe of both branches into a document score. A real conflict dominates; a clean
 * probe lowers the score once code is being written (more when both implementations are finished),
 * and means little before that, when the branches hold no code yet.
 */
export function applyLiveProbe(
  doc: PairScore,
  probe: LiveProbe,
  state: LiveState,
  policy: ScoringPolicy,
): PairScore {
  if (!probe.clean) {
    const files = [...probe.conflicting_files].sort();
    return {
      verdict: 'SERIALIZE',
      evidence: true,
      confidence: 1,
      score: 1,
      stage: 'LIVE',
      reason: `LIVE: the two branches do not merge; git merge-tree reports conflicts in ${list(files)}`,
      overlapping_files: files,
      overlapping_symbols: doc.overlapping_symbols,
    };
  }
  if (state === 'not-implementing') {
    return { ...doc, reason: `${doc.reason}; branches merge cleanly (no code written yet)` };
  }
  const factor = state === 'finished' ? policy.weights.liveCleanFinished : policy.weights.liveCleanInProgress;
  const score = doc.score * factor;
  const { verdict, confidence } = decideVerdict(score, policy.decide, doc.evidence);
  return {
    ...doc,
    verdict,
    confidence,
    score: round(score),
    stage: 'LIVE',
    reason: `LIVE: branches merge cleanly (implementation ${state === 'finished' ? 'finished' : 'in progress'}), document score ×${factor} → ${round(score)} → ${verdict}; documents said ${doc.reason}`,
  };
}

function list(items: string[]): string {
  const shown = items.slice(0, SHOWN).join(', ');
  return items.length > SHOWN ? `${shown} (+${items.length - SHOWN} more)` : shown;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
