/** The runner port: executes one phase of one unit that the scheduler has already marked RUNNING. */
import type { WorkUnit } from '../domain/work-unit.js';
import type { PhaseHandle } from './live-phases.js';

export interface PhaseRunner {
  start(unit: WorkUnit): PhaseHandle;
}
