/** Writing a work unit's row and its audit line: shared by the store and the parts that hang off it. */
import type Database from 'better-sqlite3';
import { StaleWriteError } from '../domain/errors.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { StatusLogEntry } from '../ports/store.js';
import { toUnitRow, UNIT_COLUMNS } from './rows.js';

const COLUMNS = UNIT_COLUMNS.filter((c) => c !== 'chunk');
export const UPDATE_UNIT_SQL = `UPDATE work_units SET ${COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE chunk = @chunk AND version = @prev`;

/** Writes the whole row guarded by the previous version (the compare-and-swap). */
export function writeUnitRow(statement: Database.Statement, next: WorkUnit, previousVersion: number): void {
  const res = statement.run({ ...toUnitRow(next), prev: previousVersion });
  if (res.changes !== 1) throw new StaleWriteError(next.chunk, previousVersion, -1);
}

export const INSERT_STATUS_LOG_SQL = `INSERT INTO status_log (chunk, old_status, new_status, phase, event, reason, source, actor, forced, at)
         VALUES (@chunk, @old_status, @new_status, @phase, @event, @reason, @source, @actor, @forced, @at)`;

export type StatusLogLine = Omit<StatusLogEntry, 'id' | 'at'> & { actor?: string | undefined };

export function statusLogParams(entry: StatusLogLine, at: string) {
  return { ...entry, actor: entry.actor ?? null, forced: entry.forced ? 1 : 0, at };
}
