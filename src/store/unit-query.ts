/**
 * The SQL behind `list` and `count`: the status filter, the listing order and the keyset condition,
 * as text plus parameters. Pure, so the store keeps only the reading; both methods share one WHERE clause.
 */
import { STATUSES, type Status } from '../domain/work-unit.js';
import type { UnitFilter, UnitOrder } from '../ports/store.js';

export interface UnitQuery {
  sql: string;
  params: unknown[];
}

/** a unit's place in either listing order, which `after` pages from */
export interface UnitKey {
  created_at: string;
  updated_at: string;
  chunk: string;
}

const ORDER_BY: Record<UnitOrder, string> = {
  created: 'created_at, chunk',
  recent: 'updated_at DESC, chunk DESC',
};

function statusesOf(filter: UnitFilter): readonly Status[] | null {
  if (filter.status) return [filter.status];
  return filter.active ? STATUSES.filter((st) => st !== 'DONE') : null;
}

function where(filter: UnitFilter, after: UnitKey | null, order: UnitOrder): UnitQuery {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const statuses = statusesOf(filter);
  if (statuses) {
    // IN over the status index: active units are read without touching the finished ones
    clauses.push(`status IN (${statuses.map(() => '?').join(', ')})`);
    params.push(...statuses);
  }
  if (after && order === 'recent') {
    // newest first, so "after" the anchor means older than it
    clauses.push('(updated_at, chunk) < (?, ?)');
    params.push(after.updated_at, after.chunk);
  } else if (after) {
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
  order: UnitOrder = 'created',
): UnitQuery {
  const w = where(filter, after, order);
  const cap = limit === undefined ? '' : ' LIMIT ?';
  return {
    sql: `SELECT * FROM work_units${w.sql} ORDER BY ${ORDER_BY[order]}${cap}`,
    params: limit === undefined ? w.params : [...w.params, limit],
  };
}

export function countUnitsQuery(filter: UnitFilter): UnitQuery {
  const w = where(filter, null, 'created');
  return { sql: `SELECT COUNT(*) AS n FROM work_units${w.sql}`, params: w.params };
}
