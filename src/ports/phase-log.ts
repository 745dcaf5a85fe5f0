/** Per-phase agent event logs (`.ve/chunks/<c>/log/<phase>.jsonl`). */
import type { LogStream } from '../domain/work-unit.js';
import type { AgentEvent } from './agent-backend.js';
import type { VerifyOutcome } from './train.js';

/** What the landing train logs under the unit's VERIFY stream. */
export type VerifyLogEvent =
  | {
      type: 'verify_started';
      run_id: number;
      commit: string;
      base_tip: string;
      ahead: string[];
      command: string;
    }
  | { type: 'verify_output'; run_id: number; text: string }
  | {
      type: 'verify_finished';
      run_id: number;
      outcome: VerifyOutcome;
      exit_code: number | null;
      duration_ms: number;
      message: string | null;
    }
  | { type: 'train'; text: string };

/** What the runner itself logs in a phase's stream: work it committed for the agent, the exit check. */
export type RunnerLogEvent =
  | { type: 've_commit'; files: string[]; message: string }
  | { type: 'check'; decision: 'nudge' | 'ask' | 'extend'; text: string };

export type LogEvent = AgentEvent | VerifyLogEvent | RunnerLogEvent;

export interface LoggedAgentEvent {
  phase: LogStream;
  /** line number within the phase's log file */
  seq: number;
  event: LogEvent & { at: string };
}

export interface PhaseLogSink {
  /** appends one event; returns its line number */
  append(chunk: string, phase: LogStream, event: LogEvent & { at: string }): number;
  /** every logged event of the chunk, in phase order then line order */
  read(chunk: string): Promise<LoggedAgentEvent[]>;
}
