/** The conflict oracle port: may two chunks run side by side? */
import type { ConflictAnalysis } from '../domain/conflict.js';
import type { WorkUnit } from '../domain/work-unit.js';

export type GateResult =
  | { kind: 'allow' }
  /** run later: these chunks must reach DONE (or stop running) first */
  | { kind: 'wait'; behind: string[]; reason: string }
  /** the operator must decide; raise one CONFLICT item for this pair */
  | { kind: 'ask'; other: string; analysis: ConflictAnalysis };

export interface ConflictOracle {
  /** checks `unit` against units running or already dispatched in this pass */
  gate(unit: WorkUnit, busy: readonly WorkUnit[]): Promise<GateResult>;
  /** fresh analysis of a pair at the best stage available; persisted */
  analyze(a: string, b: string): Promise<ConflictAnalysis>;
}
