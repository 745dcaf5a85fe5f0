/**
 * The conflict oracle: reads both chunks (from each unit's worktree when it has one), scores them at
 * the best stage available, folds in a LIVE merge-tree probe when both branches exist, persists the
 * analysis, and gates dispatch on it. DESIGN §9; departs from reference §9 as DESIGN §14 says.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import { toChunkName } from '../domain/chunk-name.js';
import { type ConflictAnalysis, effectiveVerdict, sortedPair } from '../domain/conflict.js';
import { ErrorCode, isOrchError, OrchError } from '../domain/errors.js';
import type { Phase, WorkUnit } from '../domain/work-unit.js';
import type { ChunkDoc, ChunkRepo } from '../ports/chunks.js';
import { type Clock, isoNow } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ConflictOracle, GateResult } from '../ports/oracle.js';
import type { ConflictStore, UnitStore } from '../ports/store.js';
import type { Worktrees } from '../ports/worktrees.js';
import { type ChunkEvidence, extractEvidence, pairStage } from './evidence.js';
import { type LiveConflict, liveConflicts, probePairs } from './live-watch.js';
import { LiveProbeCache } from './probe-cache.js';
import {
  applyLiveProbe,
  DEFAULT_WEIGHTS,
  type LiveState,
  type PairScore,
  policyFrom,
  type ScoringPolicy,
  type ScoringWeights,
  scorePair,
} from './score.js';
import { boilerplateWith } from './terms.js';

export type OracleConfig = Pick<OrchestratorConfig, 'oracle_decide_threshold'>;

export interface OracleServiceDeps {
  store: Pick<UnitStore, 'get'> & ConflictStore;
  chunks: ChunkRepo;
  worktrees: Pick<Worktrees, 'probe' | 'branchTips'>;
  /** read on every analysis, so a threshold change applies to the running daemon */
  config: () => OracleConfig | Promise<OracleConfig>;
  clock: Clock;
  log: Logger;
  /** @default DEFAULT_WEIGHTS */
  weights?: ScoringWeights;
  /** texts of project-specific chunk templates whose words must not count either */
  boilerplate?: string[];
  /**
   * GOAL and PLAN phases write only their own chunk's documents, so they cannot conflict with anyone;
   * when true the gate lets them through and ignores busy units in those phases.
   * @default false (every unit is checked against every busy unit)
   */
  skipDocPhases?: boolean;
}

export interface PairsResult {
  analyses: ConflictAnalysis[];
  failed: { pair: [string, string]; error: string }[];
}

interface Side {
  chunk: string;
  unit: WorkUnit | undefined;
  evidence: ChunkEvidence;
}

const DOC_PHASES: ReadonlySet<Phase> = new Set<Phase>(['GOAL', 'PLAN']);
const CODE_PHASES: ReadonlySet<Phase> = new Set<Phase>(['IMPLEMENT', 'REBASE', 'REVIEW', 'COMPLETE']);
const FINISHED_PHASES: ReadonlySet<Phase> = new Set<Phase>(['REVIEW', 'COMPLETE']);

export class OracleService implements ConflictOracle {
  private readonly boilerplate: ReadonlySet<string>;
  /** live probe results by branch tips, from one `probeImplementing` to the next */
  private readonly liveProbes = new LiveProbeCache();

  constructor(private readonly deps: OracleServiceDeps) {
    this.boilerplate = boilerplateWith(deps.boilerplate ?? []);
  }

  async analyze(x: string, y: string): Promise<ConflictAnalysis> {
    const [a, b] = orderedPair(x, y);
    const [sa, sb] = await Promise.all([this.side(a), this.side(b)]);
    return this.analyzeSides(sa, sb, await this.policy());
  }

  /**
   * Analyzes many pairs, reading each chunk once: the "analyze everything" pass (and re-checking the
   * rest after a merge). A pair whose chunk cannot be read is reported in `failed`, not thrown.
   */
  async analyzePairs(pairs: readonly (readonly [string, string])[]): Promise<PairsResult> {
    const sides = new Map<string, Promise<Side>>();
    const sideOf = (c: string) => {
      let s = sides.get(c);
      if (!s) {
        s = this.side(c);
        sides.set(c, s);
      }
      return s;
    };
    const policy = await this.policy();
    const result: PairsResult = { analyses: [], failed: [] };
    for (const [x, y] of pairs) {
      try {
        const [a, b] = orderedPair(x, y);
        result.analyses.push(await this.analyzeSides(await sideOf(a), await sideOf(b), policy));
      } catch (e) {
        this.deps.log.warn('conflict analysis failed', { chunk: x, other: y, error: e });
        result.failed.push({ pair: sortedPair(x, y), error: e instanceof Error ? e.message : String(e) });
      }
    }
    return result;
  }

  private async analyzeSides(sa: Side, sb: Side, policy: ScoringPolicy): Promise<ConflictAnalysis> {
    const [a, b] = [sa.chunk, sb.chunk];
    let result = scorePair(sa.evidence, sb.evidence, pairStage(sa.evidence, sb.evidence), policy);
    if (sa.unit?.worktree && sb.unit?.worktree)
      result = await this.withLiveProbe(result, sa.unit, sb.unit, policy);
    await this.deps.store.upsertConflict(this.toAnalysis(a, b, result));
    const saved = await this.deps.store.getConflict(a, b);
    if (!saved) throw new OrchError(ErrorCode.internal, `conflict analysis ${a}/${b} was not persisted`);
    return saved;
  }

  /** A chunk's unit (if any) and its evidence, read where the unit works. */
  private async side(chunk: string): Promise<Side> {
    const unit = await this.deps.store.get(chunk);
    return { chunk, unit, evidence: await this.evidenceOf(chunk, unit) };
  }

  async gate(unit: WorkUnit, busy: readonly WorkUnit[]): Promise<GateResult> {
    const others = busy.filter((b) => b.chunk !== unit.chunk);
    if (unit.explicit_deps) {
      // declared dependencies replace the oracle (reference §9.4)
      const behind = others.filter((b) => unit.blocked_by.includes(b.chunk)).map((b) => b.chunk);
      return behind.length === 0
        ? { kind: 'allow' }
        : { kind: 'wait', behind, reason: `declared dependencies still running: ${behind.join(', ')}` };
    }
    const skipDocs = this.deps.skipDocPhases === true;
    if (skipDocs && DOC_PHASES.has(unit.phase)) return { kind: 'allow' };
    const waits: { chunk: string; reason: string }[] = [];
    let ask: GateResult | null = null;
    for (const other of others) {
      if (skipDocs && DOC_PHASES.has(other.phase)) continue;
      const analysis = await this.cachedOrAnalyze(unit.chunk, other.chunk);
      const verdict = effectiveVerdict(analysis);
      if (verdict === 'INDEPENDENT') continue;
      if (verdict === 'SERIALIZE' || analysis.override !== null) {
        // an override is the operator's answer: never ask about the pair again
        waits.push({ chunk: other.chunk, reason: `${other.chunk}: ${waitReason(analysis)}` });
      } else {
        ask ??= { kind: 'ask', other: other.chunk, analysis };
      }
    }
    // waiting costs the operator nothing; an ask can surface once the blocker is gone
    if (waits.length > 0) {
      return {
        kind: 'wait',
        behind: waits.map((w) => w.chunk),
        reason: waits.map((w) => w.reason).join(' | '),
      };
    }
    return ask ?? { kind: 'allow' };
  }

  /**
   * Probes the branches of units writing code (IMPLEMENT, REBASE, REVIEW) pairwise and returns the
   * real conflicts; a pair whose two tips were probed last time is answered from that probe. Each conflict is persisted as a LIVE analysis, so the gate and the API see it;
   * a pair whose stored LIVE conflict has since cleared is re-analyzed.
   */
  async probeImplementing(units: readonly WorkUnit[]): Promise<LiveConflict[]> {
    const probed = await probePairs(this.deps, units, this.liveProbes);
    for (const { pair, probe } of probed) {
      const stored = await this.deps.store.getConflict(pair[0], pair[1]);
      const storedLive = stored?.stage === 'LIVE' && stored.verdict === 'SERIALIZE';
      if (probe.clean) {
        if (storedLive) await this.reanalyzeQuietly(pair);
        continue;
      }
      const files = [...probe.conflicting_files].sort();
      if (storedLive && stored.overlapping_files.join('\n') === files.join('\n')) continue;
      const live = applyLiveProbe(emptyScore(), probe, 'in-progress', await this.policy());
      await this.deps.store.upsertConflict(
        this.toAnalysis(pair[0], pair[1], {
          ...live,
          overlapping_symbols: stored?.overlapping_symbols ?? [],
        }),
      );
      this.deps.log.info('live conflict', { chunk: pair[0], other: pair[1], files });
    }
    return liveConflicts(probed);
  }

  private async cachedOrAnalyze(chunk: string, other: string): Promise<ConflictAnalysis> {
    const cached = await this.deps.store.getConflict(chunk, other);
    if (cached) return cached;
    try {
      return await this.analyze(chunk, other);
    } catch (e) {
      // a pair we cannot analyze must not stop the pass: the operator decides (not persisted, so a
      // transient failure is retried on the next pass; the operator's resolve creates the row)
      this.deps.log.warn('conflict analysis failed; asking the operator', { chunk, other, error: e });
      const [a, b] = sortedPair(chunk, other);
      return {
        ...this.toAnalysis(a, b, emptyScore()),
        verdict: 'ASK_OPERATOR',
        confidence: 0,
        reason: `could not analyze ${chunk} against ${other}: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }

  private async reanalyzeQuietly(pair: [string, string]): Promise<void> {
    try {
      await this.analyze(pair[0], pair[1]);
    } catch (e) {
      this.deps.log.warn('re-analysis after a cleared live conflict failed', {
        chunk: pair[0],
        other: pair[1],
        error: e,
      });
    }
  }

  private async withLiveProbe(doc: PairScore, ua: WorkUnit, ub: WorkUnit, policy: ScoringPolicy) {
    try {
      const probe = await this.deps.worktrees.probe(ua.chunk, ub.chunk);
      return applyLiveProbe(doc, probe, liveState(ua.phase, ub.phase), policy);
    } catch (e) {
      this.deps.log.warn('live probe failed; using document evidence', {
        chunk: ua.chunk,
        other: ub.chunk,
        error: e,
      });
      return { ...doc, reason: `${doc.reason}; live probe failed: ${e instanceof Error ? e.message : e}` };
    }
  }

  /** Reads the chunk where its unit works (its worktree), falling back to the host copy. */
  private async evidenceOf(chunk: string, unit: WorkUnit | undefined): Promise<ChunkEvidence> {
    return extractEvidence(await this.readDoc(chunk, unit?.worktree ?? null), this.boilerplate);
  }

  private async readDoc(chunk: string, worktree: string | null): Promise<ChunkDoc> {
    if (worktree) {
      try {
        return await this.deps.chunks.read(chunk, worktree);
      } catch (e) {
        // an agent may be mid-write or have renamed the chunk: the host copy is older but readable
        if (!isOrchError(e, 'not_found') && !isOrchError(e, 'malformed_chunk')) throw e;
        this.deps.log.warn('chunk unreadable in its worktree; using the host copy', {
          chunk,
          worktree,
          error: e,
        });
      }
    }
    return this.deps.chunks.read(chunk);
  }

  private async policy(): Promise<ScoringPolicy> {
    return policyFrom(await this.deps.config(), this.deps.weights ?? DEFAULT_WEIGHTS);
  }

  private toAnalysis(a: string, b: string, s: PairScore): ConflictAnalysis {
    return {
      chunk_a: a,
      chunk_b: b,
      verdict: s.verdict,
      confidence: s.confidence,
      stage: s.stage,
      reason: s.reason,
      overlapping_files: s.overlapping_files,
      overlapping_symbols: s.overlapping_symbols,
      override: null,
      created_at: isoNow(this.deps.clock),
    };
  }
}

function orderedPair(x: string, y: string): [string, string] {
  const [a, b] = sortedPair(toChunkName(x), toChunkName(y));
  if (a === b) throw new OrchError(ErrorCode.invalid_input, `cannot analyze chunk '${a}' against itself`);
  return [a, b];
}

/** Both units writing code: finished once both are past IMPLEMENT (REBASE is still changing code). */
function liveState(a: Phase, b: Phase): LiveState {
  if (!CODE_PHASES.has(a) || !CODE_PHASES.has(b)) return 'not-implementing';
  return FINISHED_PHASES.has(a) && FINISHED_PHASES.has(b) ? 'finished' : 'in-progress';
}

function waitReason(a: ConflictAnalysis): string {
  if (a.override === 'SERIALIZE') return 'the operator chose to serialize';
  if (a.override === 'ASK_OPERATOR') return 'the operator marked the pair undecided';
  return a.reason;
}

function emptyScore(): PairScore {
  return {
    verdict: 'ASK_OPERATOR',
    evidence: false,
    confidence: 0,
    score: 0.5,
    stage: 'PROPOSED',
    reason: '',
    overlapping_files: [],
    overlapping_symbols: [],
  };
}
