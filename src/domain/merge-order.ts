/**
 * Merge order for units ready to finalize: the ones least likely to conflict with the rest go first,
 * so one risky branch cannot make every later merge rebase. Pure.
 */
import { type ConflictAnalysis, sortedPair } from './conflict.js';

/** Unknown pairs count as a coin toss: better known-independent units merge before them. */
const UNKNOWN_RISK = 0.5;

/** How likely a pair is to conflict, 0..1, from its analysis (the operator's override wins). */
export function conflictRisk(a: Pick<ConflictAnalysis, 'verdict' | 'confidence' | 'override'>): number {
  switch (a.override ?? null) {
    case 'SERIALIZE':
      return 1;
    case 'INDEPENDENT':
      return 0;
    case 'ASK_OPERATOR':
      return UNKNOWN_RISK;
    case null:
      break;
  }
  switch (a.verdict) {
    case 'SERIALIZE':
      return a.confidence;
    case 'INDEPENDENT':
      return 1 - a.confidence;
    case 'ASK_OPERATOR':
      return UNKNOWN_RISK;
  }
}

/**
 * Orders `candidates` by the sum of their conflict risk against the other candidates, lowest first;
 * ties keep the given order (the ready-queue order). After each merge the caller re-checks the rest
 * against the new base and calls this again with fresh analyses.
 */
export function mergeOrder(candidates: readonly string[], analyses: readonly ConflictAnalysis[]): string[] {
  const byPair = new Map(analyses.map((a) => [sortedPair(a.chunk_a, a.chunk_b).join('\0'), a]));
  const total = candidates.map((c, index) => {
    let risk = 0;
    for (const other of candidates) {
      if (other === c) continue;
      const a = byPair.get(sortedPair(c, other).join('\0'));
      risk += a ? conflictRisk(a) : UNKNOWN_RISK;
    }
    return { c, index, risk };
  });
  return total.sort((x, y) => x.risk - y.risk || x.index - y.index).map((t) => t.c);
}
