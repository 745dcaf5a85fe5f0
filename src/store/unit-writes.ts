/** Writing a work unit's row and its audit line: shared by the units part and the hosts part. */
import { StaleWriteError } from '../domain/errors.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { StatusLogEntry } from '../ports/store.js';
import { toUnitRow, UNIT_COLUMNS } from './rows.js';
import type { SqliteDb } from './sqlite-db.js';

const COLUMNS = UNIT_COLUMNS.filter((c) => c !== 'chunk');
const UPDATE_UNIT = `UPDATE work_units SET ${COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE chunk = @chunk AND version = @prev`;
const INSERT_STATUS_LOG = `INSERT INTO status_log (chunk, old_status, new_status, phase, event, reason, source, actor, forced, at)
         VALUES (@chunk, @old_status, @new_status, @phase, @event, @reason, @source, @actor, @forced, @at)`;

/** Writes the whole row guarded by the previous version (the compare-and-swap). */
export function writeUnitRow(s: SqliteDb, next: WorkUnit, previousVersion: number): void {
  const res = s.stmt(UPDATE_UNIT).run({ ...toUnitRow(next), prev: previousVersion });
  if (res.changes !== 1) throw new StaleWriteError(next.chunk, previousVersion, -1);
}

export type StatusLogLine = Omit<StatusLogEntry, 'id' | 'at'> & { actor?: string | undefined };

export function logStatusRow(s: SqliteDb, entry: StatusLogLine): void {
  s.stmt(INSERT_STATUS_LOG).run({
    ...entry,
    actor: entry.actor ?? null,
    forced: entry.forced ? 1 : 0,
    at: s.iso(),
  });
}
