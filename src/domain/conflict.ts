/** Conflict-analysis vocabulary shared by the oracle, the scheduler and the API. */
import { stringEnum } from './string-enum.js';

export const VERDICTS = ['INDEPENDENT', 'SERIALIZE', 'ASK_OPERATOR'] as const;
export const Verdict = stringEnum(VERDICTS);
export type Verdict = (typeof VERDICTS)[number];

/** How much evidence a verdict rests on, least to most informed. */
export const AnalysisStage = stringEnum(['PROPOSED', 'GOAL', 'PLAN', 'LIVE', 'COMPLETED'] as const);
export type AnalysisStage = (typeof AnalysisStage)[keyof typeof AnalysisStage];

export interface ConflictAnalysis {
  /** sorted pair: chunk_a < chunk_b */
  chunk_a: string;
  chunk_b: string;
  verdict: Verdict;
  confidence: number;
  stage: AnalysisStage;
  reason: string;
  overlapping_files: string[];
  overlapping_symbols: string[];
  /** the operator's decision, which wins over the computed verdict */
  override: Verdict | null;
  created_at: string;
}

export function sortedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** The verdict that counts: the operator's override, else the computed one. */
export function effectiveVerdict(a: Pick<ConflictAnalysis, 'verdict' | 'override'>): Verdict {
  return a.override ?? a.verdict;
}
