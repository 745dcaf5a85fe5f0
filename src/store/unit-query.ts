/**
 * The SQL behind `list` and `count`: the status filter and the keyset condition, as text plus
 * parameters. Pure, so the store keeps only the reading; both methods share one WHERE clause.
 */
import { STATUSES, type Status } from '../domain/work-unit.js';
import type { UnitFilter } from '../ports/store.js';

export interface UnitQuery {
  sql: string;
  params: unknown[];
}

/** a unit's place in the listing order, which `after` pages from */
export interface UnitKey {
  created_at: string;
  chunk: string;
}

function statusesOf(filter: UnitFilter): readonly Status[] | null {
  if (filter.status) return [filter.status];
  return filter.active ? STATUSES.filter((st) => st !== 'DONE') : null;
}

function where(filter: UnitFilter, after: UnitKey | null): UnitQuery {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const statuses = statusesOf(filter);
  if (statuses) {
    // IN over the status index: active units are read without touching the finished ones
    clauses.push(`status IN (${statuses.map(() => '?').join(', ')})`);
    params.push(...statuses);
  }
  if (after) {
    // keyset: strictly after the anchor in the listing order, so pages never repeat or skip a unit
    clauses.push('(created_at, chunk) > (?, ?)');
    params.push(after.created_at, after.chunk);
  }
  return { sql: clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : '', params };
}

export function listUnitsQuery(
  filter: UnitFilter,
  after: UnitKey | null,
  limit: number | undefined,
): UnitQuery {
  const w = where(filter, after);
  const cap = limit === undefined ? '' : ' LIMIT ?';
  return {
    sql: `SELECT * FROM work_units${w.sql} ORDER BY created_at, chunk${cap}`,
    params: limit === undefined ? w.params : [...w.params, limit],
  };
}

export function countUnitsQuery(filter: UnitFilter): UnitQuery {
  const w = where(filter, null);
  return { sql: `SELECT COUNT(*) AS n FROM work_units${w.sql}`, params: w.params };
}
