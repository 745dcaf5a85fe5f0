/**
 * The in-process event bus. The store publishes after each committed transaction, so every persisted
 * change reaches the scheduler and the WebSocket clients by construction.
 */

import type { OrchestratorConfig } from '../config/schema.js';
import type { ConflictAnalysis } from '../domain/conflict.js';
import type { Host } from '../domain/host.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { TrainSnapshot } from './train.js';

export type ChangeSource =
  | 'api'
  | 'scheduler'
  | 'runner'
  | 'recovery'
  | 'operator-force'
  | 'oracle'
  | 'train'
  | 'hosts';

export type ChangeEvent =
  | {
      type: 'unit_changed';
      unit: WorkUnit;
      previous: WorkUnit | null;
      source: ChangeSource;
      reason: string | null;
    }
  /** `unit`: the record as it was (its host holds a copy to clean) */
  | { type: 'unit_deleted'; chunk: string; source: ChangeSource; unit: WorkUnit }
  /** `previous`: the configuration before this change (what a raised limit is measured against) */
  | { type: 'config_changed'; config: OrchestratorConfig; previous: OrchestratorConfig }
  | { type: 'conflict_changed'; analysis: ConflictAnalysis }
  /** computed analyses involving `chunk` were dropped (it moved on); `pairs` are the sorted pairs gone */
  | { type: 'conflicts_invalidated'; chunk: string; pairs: [string, string][] }
  | { type: 'phase_log'; chunk: string; phase: string; event: Record<string, unknown> }
  /** the landing train changed: entries, their trees and verifications */
  | { type: 'train_changed'; train: TrainSnapshot }
  /** a host was added, or its state or health changed (docs/hosts.md) */
  | { type: 'host_changed'; host: Host }
  /** a removed host's record is gone */
  | { type: 'host_forgotten'; name: string };

export interface EventBus {
  publish(event: ChangeEvent): void;
  /** returns an unsubscribe function */
  subscribe(listener: (event: ChangeEvent) => void): () => void;
}
