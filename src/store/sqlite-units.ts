/**
 * The work units and their audit log. Every status change goes through `transition`: the domain state
 * machine applied inside one transaction, the optimistic-lock version checked, the audit row (and a
 * raised item's attention-log row) written with it, and the change published once it has committed.
 */
import { ErrorCode, NotFoundError, OrchError, StaleWriteError } from '../domain/errors.js';
import { applyEvent, type UnitEvent } from '../domain/transitions.js';
import type { Status, WorkUnit } from '../domain/work-unit.js';
import type { ChangeEvent } from '../ports/events.js';
import type {
  StatusLogEntry,
  UnitFieldPatch,
  UnitFilter,
  UnitOrder,
  UnitStore,
  WriteOptions,
} from '../ports/store.js';
import type { ReadProblems } from './read-problems.js';
import { fromStatusLogRow, fromUnitRow, holdUnreadable, type Row, toUnitRow, UNIT_COLUMNS } from './rows.js';
import { insertAttention } from './sqlite-attention-log.js';
import type { SqliteDb } from './sqlite-db.js';
import { countUnitsQuery, listUnitsQuery } from './unit-query.js';
import { logStatusRow, type StatusLogLine, writeUnitRow } from './unit-writes.js';

export class SqliteUnits implements UnitStore {
  constructor(
    private readonly s: SqliteDb,
    private readonly problems: ReadProblems,
    private readonly readonly: boolean,
  ) {}

  private readUnit(chunk: string): WorkUnit | undefined {
    const row = this.s.stmt('SELECT * FROM work_units WHERE chunk = ?').get(chunk) as Row | undefined;
    return row ? this.decode(row) : undefined;
  }

  /**
   * A unit row with values it cannot read is logged, and held as an ERROR item when reading on would
   * lose them (rows.ts `holdUnreadable`). A writer's read inside its own transaction sees the
   * defaults; the hold is committed by get and list, which every writer reads through first.
   */
  private decode(row: Row): WorkUnit {
    const decoded = fromUnitRow(row);
    const { unit } = decoded;
    const hold = holdUnreadable(decoded);
    this.problems.unit(decoded, hold !== null);
    if (!hold || this.s.db.inTransaction || this.readonly) return unit;
    return this.transitionNow(unit.chunk, hold, { source: 'recovery', expectedVersion: unit.version });
  }

  private mustRead(chunk: string): WorkUnit {
    const unit = this.readUnit(chunk);
    if (!unit) throw new NotFoundError('work unit', chunk);
    return unit;
  }

  private checkVersion(unit: WorkUnit, opts: WriteOptions): void {
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== unit.version) {
      throw new StaleWriteError(unit.chunk, opts.expectedVersion, unit.version);
    }
  }

  /** Writes the whole row guarded by the previous version (the compare-and-swap). */
  private writeUnit(next: WorkUnit, previousVersion: number): void {
    writeUnitRow(this.s, next, previousVersion);
  }

  private logStatus(entry: StatusLogLine): void {
    logStatusRow(this.s, entry);
  }

  async get(chunk: string): Promise<WorkUnit | undefined> {
    return this.readUnit(chunk);
  }

  async list(
    filter: UnitFilter & { limit?: number; after?: string; order?: UnitOrder } = {},
  ): Promise<WorkUnit[]> {
    const { limit, after, order } = filter;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
      throw new OrchError(ErrorCode.invalid_input, `list limit must be a non-negative integer, got ${limit}`);
    }
    if (order !== undefined && order !== 'created' && order !== 'recent') {
      throw new OrchError(ErrorCode.invalid_input, `list order must be 'created' or 'recent', got ${order}`);
    }
    const rows = this.s.db.transaction(() => {
      const anchor = after === undefined ? null : this.mustRead(after);
      const q = listUnitsQuery(filter, anchor, limit, order);
      return this.s.stmt(q.sql).all(...q.params) as Row[];
    })();
    return rows.map((r) => this.decode(r));
  }

  async count(filter: UnitFilter = {}): Promise<number> {
    const q = countUnitsQuery(filter);
    return Number((this.s.stmt(q.sql).get(...q.params) as Row).n);
  }

  async totals(): Promise<{ counts: Partial<Record<Status, number>>; cost_usd: number }> {
    const rows = this.s
      .stmt('SELECT status, COUNT(*) AS n, TOTAL(cost_usd) AS cost FROM work_units GROUP BY status')
      .all() as Row[];
    return {
      counts: Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)])),
      cost_usd: rows.reduce((sum, r) => sum + Number(r.cost), 0),
    };
  }

  async create(unit: WorkUnit, opts: WriteOptions): Promise<WorkUnit> {
    await this.createMany([unit], opts);
    return unit;
  }

  async createMany(units: WorkUnit[], opts: WriteOptions): Promise<WorkUnit[]> {
    const insert = this.s.stmt(
      `INSERT INTO work_units (${UNIT_COLUMNS.join(', ')}) VALUES (${UNIT_COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    return this.s.commit(() => {
      for (const unit of units) {
        const existing = this.readUnit(unit.chunk);
        if (existing) {
          throw new OrchError(
            ErrorCode.already_exists,
            `work unit for chunk '${unit.chunk}' already exists (status: ${existing.status})`,
            { chunk: unit.chunk, status: existing.status },
          );
        }
        insert.run(toUnitRow(unit));
        this.logStatus({
          chunk: unit.chunk,
          old_status: null,
          new_status: unit.status,
          phase: unit.phase,
          event: 'create',
          reason: opts.reason ?? null,
          source: opts.source,
          actor: opts.actor,
          forced: false,
        });
      }
      const reason = opts.reason ?? null;
      return {
        value: units,
        events: units.map((unit) => ({
          type: 'unit_changed',
          unit,
          previous: null,
          source: opts.source,
          reason,
        })),
      };
    });
  }

  async transition(
    chunk: string,
    event: UnitEvent,
    opts: WriteOptions,
    fields?: UnitFieldPatch,
  ): Promise<WorkUnit> {
    return this.transitionNow(chunk, event, opts, fields);
  }

  private transitionNow(
    chunk: string,
    event: UnitEvent,
    opts: WriteOptions,
    fields?: UnitFieldPatch,
  ): WorkUnit {
    return this.s.commit(() => {
      const current = this.mustRead(chunk);
      this.checkVersion(current, opts);
      const next = { ...applyEvent(current, event, this.s.iso()), ...(fields ?? {}) };
      this.writeUnit(next, current.version);
      this.logStatus({
        chunk,
        old_status: current.status,
        new_status: next.status,
        phase: next.phase,
        event: event.type,
        reason: opts.reason ?? next.attention_reason ?? null,
        source: opts.source,
        actor: opts.actor,
        forced: event.type === 'force',
      });
      // the item and its audit row commit together: a crash can never raise one without the other
      if (event.type === 'attend') {
        insertAttention(this.s, {
          chunk,
          kind: event.kind,
          question_id: event.question?.id ?? null,
          phase: next.phase,
          reason: event.reason,
          question: event.question?.questions ?? event.details ?? null,
        });
      }
      return { value: next, events: [changed(next, current, opts)] };
    });
  }

  async update(chunk: string, fields: UnitFieldPatch, opts: WriteOptions): Promise<WorkUnit> {
    return this.s.commit(() => {
      const current = this.mustRead(chunk);
      this.checkVersion(current, opts);
      const next: WorkUnit = {
        ...current,
        ...fields,
        updated_at: this.s.iso(),
        version: current.version + 1,
      };
      this.writeUnit(next, current.version);
      return { value: next, events: [changed(next, current, opts)] };
    });
  }

  async addUsage(
    chunk: string,
    usage: { cost_usd: number; tokens_in: number; tokens_out: number },
  ): Promise<void> {
    this.s.commit(() => {
      const current = this.mustRead(chunk);
      const next: WorkUnit = {
        ...current,
        cost_usd: current.cost_usd + usage.cost_usd,
        tokens_in: current.tokens_in + usage.tokens_in,
        tokens_out: current.tokens_out + usage.tokens_out,
        updated_at: this.s.iso(),
        version: current.version + 1,
      };
      this.writeUnit(next, current.version);
      return { value: undefined, events: [changed(next, current, { source: 'runner' })] };
    });
  }

  async delete(chunk: string, opts: WriteOptions): Promise<void> {
    this.s.commit(() => {
      const current = this.mustRead(chunk);
      this.checkVersion(current, opts);
      this.s.stmt('DELETE FROM work_units WHERE chunk = ?').run(chunk);
      this.logStatus({
        chunk,
        old_status: current.status,
        new_status: 'DELETED',
        phase: current.phase,
        event: 'delete',
        reason: opts.reason ?? null,
        source: opts.source,
        actor: opts.actor,
        forced: false,
      });
      return {
        value: undefined,
        events: [{ type: 'unit_deleted', chunk, source: opts.source, unit: current }],
      };
    });
  }

  async history(chunk: string): Promise<StatusLogEntry[]> {
    const rows = this.s.stmt('SELECT * FROM status_log WHERE chunk = ? ORDER BY id').all(chunk) as Row[];
    return rows.map(fromStatusLogRow);
  }
}

function changed(
  unit: WorkUnit,
  previous: WorkUnit,
  opts: Pick<WriteOptions, 'source' | 'reason'>,
): ChangeEvent {
  return { type: 'unit_changed', unit, previous, source: opts.source, reason: opts.reason ?? null };
}
