/** Per-phase agent event logs (`.ve/chunks/<c>/log/<phase>.jsonl`). */
import type { Phase } from '../domain/work-unit.js';
import type { AgentEvent } from './agent-backend.js';

export interface LoggedAgentEvent {
  phase: Phase;
  /** line number within the phase's log file */
  seq: number;
  event: AgentEvent & { at: string };
}

export interface PhaseLogSink {
  /** appends one event; returns its line number */
  append(chunk: string, phase: Phase, event: AgentEvent & { at: string }): number;
  /** every logged event of the chunk, in phase order then line order */
  read(chunk: string): Promise<LoggedAgentEvent[]>;
}
