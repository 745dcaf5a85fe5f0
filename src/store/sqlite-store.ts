/**
 * SQLite (WAL) implementation of the WorkUnitStore port. Each public method is one transaction;
 * events are published on the bus only after the transaction committed.
 */
import Database from 'better-sqlite3';
import { type ConfigPatch, ConfigPatchSchema, type OrchestratorConfig } from '../config/schema.js';
import { configFromStored, type StoredConfig } from '../config/stored.js';
import { type BudgetLimits, type ProjectWindow, projectWindow, windowStart } from '../domain/budget.js';
import { type ConflictAnalysis, sortedPair, type Verdict } from '../domain/conflict.js';
import { ErrorCode, NotFoundError, OrchError, StaleWriteError } from '../domain/errors.js';
import { applyEvent, type UnitEvent } from '../domain/transitions.js';
import type { Phase, Status, WorkUnit } from '../domain/work-unit.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/events.js';
import type { Logger } from '../ports/logger.js';
import type {
  AttentionLogEntry,
  PhaseRun,
  PhaseRunEnd,
  StatusLogEntry,
  UnitFieldPatch,
  UnitFilter,
  UnitOrder,
  UsageLimitWait,
  WorkUnitStore,
  WriteOptions,
} from '../ports/store.js';
import { migrate } from './migrations.js';
import { ReadProblems } from './read-problems.js';
import {
  fromAttentionLogRow,
  fromConflictRow,
  fromStatusLogRow,
  fromUnitRow,
  holdUnreadable,
  type Row,
  toConflictRow,
  toUnitRow,
  UNIT_COLUMNS,
} from './rows.js';
import { SqlitePhaseRuns } from './sqlite-phase-runs.js';
import { SqliteVerifyRuns } from './sqlite-verify-runs.js';
import { countUnitsQuery, listUnitsQuery } from './unit-query.js';

export interface SqliteStoreOptions {
  /** file path, or ':memory:' */
  path: string;
  bus: EventBus;
  clock: Clock;
  /** where stored values it cannot read are reported (once each) */
  log: Logger;
  readonly?: boolean;
}

export class SqliteStore implements WorkUnitStore {
  private readonly db: Database.Database;
  private readonly bus: EventBus;
  private readonly clock: Clock;
  /** the landing train's verify runs, in the same database */
  readonly verifyRuns: SqliteVerifyRuns;
  private readonly phaseRunRows: SqlitePhaseRuns;
  private readonly readonly: boolean;
  private readonly problems: ReadProblems;

  constructor(opts: SqliteStoreOptions) {
    this.db = new Database(opts.path, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
    });
    this.bus = opts.bus;
    this.clock = opts.clock;
    this.problems = new ReadProblems(opts.log);
    this.readonly = opts.readonly ?? false;
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db, this.iso());
    }
    this.verifyRuns = new SqliteVerifyRuns(this.db, this.bus, () => this.iso());
    this.phaseRunRows = new SqlitePhaseRuns(this.db, () => this.iso());
  }

  /** prepared statements are cached: preparing costs more than running these small queries */
  private readonly statements = new Map<string, Database.Statement>();
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  schemaVersion(): number {
    const row = this.stmt('SELECT MAX(version) AS v FROM schema_migrations').get() as Row | undefined;
    return Number(row?.v ?? 0);
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private readUnit(chunk: string): WorkUnit | undefined {
    const row = this.stmt('SELECT * FROM work_units WHERE chunk = ?').get(chunk) as Row | undefined;
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
    if (!hold || this.db.inTransaction || this.readonly) return unit;
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
    const cols = UNIT_COLUMNS.filter((c) => c !== 'chunk');
    const sql = `UPDATE work_units SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE chunk = @chunk AND version = @prev`;
    const res = this.stmt(sql).run({ ...toUnitRow(next), prev: previousVersion });
    if (res.changes !== 1) throw new StaleWriteError(next.chunk, previousVersion, -1);
  }

  private logStatus(entry: Omit<StatusLogEntry, 'id' | 'at'> & { actor?: string | undefined }): void {
    this.db
      .prepare(
        `INSERT INTO status_log (chunk, old_status, new_status, phase, event, reason, source, actor, forced, at)
         VALUES (@chunk, @old_status, @new_status, @phase, @event, @reason, @source, @actor, @forced, @at)`,
      )
      .run({ ...entry, actor: entry.actor ?? null, forced: entry.forced ? 1 : 0, at: this.iso() });
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
    const rows = this.db.transaction(() => {
      const anchor = after === undefined ? null : this.mustRead(after);
      const q = listUnitsQuery(filter, anchor, limit, order);
      return this.stmt(q.sql).all(...q.params) as Row[];
    })();
    return rows.map((r) => this.decode(r));
  }

  async count(filter: UnitFilter = {}): Promise<number> {
    const q = countUnitsQuery(filter);
    return Number((this.stmt(q.sql).get(...q.params) as Row).n);
  }

  async totals(): Promise<{ counts: Partial<Record<Status, number>>; cost_usd: number }> {
    const rows = this.stmt(
      'SELECT status, COUNT(*) AS n, TOTAL(cost_usd) AS cost FROM work_units GROUP BY status',
    ).all() as Row[];
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
    const insert = this.stmt(
      `INSERT INTO work_units (${UNIT_COLUMNS.join(', ')}) VALUES (${UNIT_COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    this.db.transaction(() => {
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
    })();
    for (const unit of units) {
      this.bus.publish({
        type: 'unit_changed',
        unit,
        previous: null,
        source: opts.source,
        reason: opts.reason ?? null,
      });
    }
    return units;
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
    const tx = this.db.transaction(() => {
      const current = this.mustRead(chunk);
      this.checkVersion(current, opts);
      const next = { ...applyEvent(current, event, this.iso()), ...(fields ?? {}) };
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
        this.insertAttention({
          chunk,
          kind: event.kind,
          question_id: event.question?.id ?? null,
          phase: next.phase,
          reason: event.reason,
          question: event.question?.questions ?? event.details ?? null,
        });
      }
      return { current, next };
    });
    const { current, next } = tx();
    this.bus.publish({
      type: 'unit_changed',
      unit: next,
      previous: current,
      source: opts.source,
      reason: opts.reason ?? null,
    });
    return next;
  }

  async update(chunk: string, fields: UnitFieldPatch, opts: WriteOptions): Promise<WorkUnit> {
    const tx = this.db.transaction(() => {
      const current = this.mustRead(chunk);
      this.checkVersion(current, opts);
      const next: WorkUnit = { ...current, ...fields, updated_at: this.iso(), version: current.version + 1 };
      this.writeUnit(next, current.version);
      return { current, next };
    });
    const { current, next } = tx();
    this.bus.publish({
      type: 'unit_changed',
      unit: next,
      previous: current,
      source: opts.source,
      reason: opts.reason ?? null,
    });
    return next;
  }

  async addUsage(
    chunk: string,
    usage: { cost_usd: number; tokens_in: number; tokens_out: number },
  ): Promise<void> {
    const tx = this.db.transaction(() => {
      const current = this.mustRead(chunk);
      const next: WorkUnit = {
        ...current,
        cost_usd: current.cost_usd + usage.cost_usd,
        tokens_in: current.tokens_in + usage.tokens_in,
        tokens_out: current.tokens_out + usage.tokens_out,
        updated_at: this.iso(),
        version: current.version + 1,
      };
      this.writeUnit(next, current.version);
      return { current, next };
    });
    const { current, next } = tx();
    this.bus.publish({ type: 'unit_changed', unit: next, previous: current, source: 'runner', reason: null });
  }

  async delete(chunk: string, opts: WriteOptions): Promise<void> {
    const tx = this.db.transaction(() => {
      const current = this.mustRead(chunk);
      this.checkVersion(current, opts);
      this.stmt('DELETE FROM work_units WHERE chunk = ?').run(chunk);
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
    });
    tx();
    this.bus.publish({ type: 'unit_deleted', chunk, source: opts.source });
  }

  async history(chunk: string): Promise<StatusLogEntry[]> {
    const rows = this.stmt('SELECT * FROM status_log WHERE chunk = ? ORDER BY id').all(chunk) as Row[];
    return rows.map(fromStatusLogRow);
  }

  /** an unreadable stored value keeps its default (the daemon still starts) and is reported once */
  private readStoredConfig(): StoredConfig {
    const rows = this.stmt('SELECT key, value FROM config').all() as { key: string; value: string }[];
    const stored = configFromStored(rows);
    this.problems.config(stored);
    return stored;
  }

  private readConfig(): OrchestratorConfig {
    return this.readStoredConfig().config;
  }

  /** the stored config values that cannot be read, each keeping its default (shown by `ve orch status`) */
  configWarnings(): string[] {
    return this.readStoredConfig().warnings;
  }

  async getConfig(): Promise<OrchestratorConfig> {
    return this.readConfig();
  }

  async patchConfig(patch: ConfigPatch): Promise<OrchestratorConfig> {
    const parsed = ConfigPatchSchema.parse(patch);
    const tx = this.db.transaction(() => {
      const previous = this.readConfig();
      const upsert = this.stmt(
        'INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      );
      for (const [k, v] of Object.entries(parsed)) if (v !== undefined) upsert.run(k, JSON.stringify(v));
      return { config: this.readConfig(), previous };
    });
    const { config, previous } = tx();
    this.bus.publish({ type: 'config_changed', config, previous });
    return config;
  }

  async startPhaseRun(chunk: string, phase: Phase, sessionId: string | null): Promise<number> {
    return this.phaseRunRows.start(chunk, phase, sessionId);
  }

  async endPhaseRun(id: number, end: PhaseRunEnd): Promise<void> {
    this.phaseRunRows.end(id, end);
  }

  async phaseRuns(chunk: string): Promise<PhaseRun[]> {
    return this.phaseRunRows.of(chunk);
  }

  async projectWindow(
    limits: Pick<BudgetLimits, 'project_budget_usd' | 'project_budget_window_hours'>,
  ): Promise<ProjectWindow | null> {
    if (limits.project_budget_usd === null) return null;
    const now = this.clock.now();
    const since = new Date(windowStart(limits, now)).toISOString();
    return projectWindow(this.phaseRunRows.costsSince(since), limits, now);
  }

  async usageLimitWaits(): Promise<UsageLimitWait[]> {
    return this.phaseRunRows.usageLimitWaits();
  }

  async recordAttentionRaised(entry: {
    chunk: string;
    kind: string;
    question_id: string | null;
    phase: Phase;
    reason: string;
    question: unknown;
  }): Promise<void> {
    this.insertAttention(entry);
  }

  private insertAttention(entry: {
    chunk: string;
    kind: string;
    question_id: string | null;
    phase: Phase;
    reason: string;
    question: unknown;
  }): void {
    this.db
      .prepare(
        'INSERT INTO attention_log (chunk, kind, question_id, phase, raised, raised_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        entry.chunk,
        entry.kind,
        entry.question_id,
        entry.phase,
        JSON.stringify({ reason: entry.reason, question: entry.question ?? null }),
        this.iso(),
      );
  }

  async recordAttentionAnswered(entry: {
    chunk: string;
    question_id: string | null;
    answer: string;
    answered_by: string;
  }): Promise<void> {
    const open = this.db
      .prepare(
        `SELECT id FROM attention_log WHERE chunk = ? AND answered_at IS NULL
         AND (question_id IS ? OR ? IS NULL) ORDER BY id DESC LIMIT 1`,
      )
      .get(entry.chunk, entry.question_id, entry.question_id) as Row | undefined;
    if (open) {
      this.db
        .prepare('UPDATE attention_log SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?')
        .run(entry.answer, entry.answered_by, this.iso(), open.id);
    } else {
      this.db
        .prepare(
          'INSERT INTO attention_log (chunk, kind, question_id, answer, answered_by, raised_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          entry.chunk,
          'ANSWER',
          entry.question_id,
          entry.answer,
          entry.answered_by,
          this.iso(),
          this.iso(),
        );
    }
  }

  async attentionLog(chunk?: string): Promise<AttentionLogEntry[]> {
    const rows = (
      chunk
        ? this.stmt('SELECT * FROM attention_log WHERE chunk = ? ORDER BY id').all(chunk)
        : this.stmt('SELECT * FROM attention_log ORDER BY id').all()
    ) as Row[];
    return rows.map(fromAttentionLogRow);
  }

  async upsertConflict(analysis: ConflictAnalysis): Promise<void> {
    const [a, b] = sortedPair(analysis.chunk_a, analysis.chunk_b);
    const row = toConflictRow({ ...analysis, chunk_a: a, chunk_b: b });
    const saved = this.db.transaction(() => {
      const prev = this.db
        .prepare('SELECT override FROM conflict_analyses WHERE chunk_a = ? AND chunk_b = ?')
        .get(a, b) as Row | undefined;
      const withOverride = { ...row, override: row.override ?? prev?.override ?? null };
      this.db
        .prepare(
          `INSERT OR REPLACE INTO conflict_analyses (chunk_a, chunk_b, verdict, confidence, stage, reason, overlapping_files,
           overlapping_symbols, override, created_at) VALUES (@chunk_a, @chunk_b, @verdict, @confidence, @stage, @reason,
           @overlapping_files, @overlapping_symbols, @override, @created_at)`,
        )
        .run(withOverride);
      return this.decodeConflict(withOverride);
    })();
    this.bus.publish({ type: 'conflict_changed', analysis: saved });
  }

  async getConflict(x: string, y: string): Promise<ConflictAnalysis | undefined> {
    const [a, b] = sortedPair(x, y);
    const row = this.db
      .prepare('SELECT * FROM conflict_analyses WHERE chunk_a = ? AND chunk_b = ?')
      .get(a, b) as Row | undefined;
    return row ? this.decodeConflict(row) : undefined;
  }

  async listConflicts(filter?: { chunk?: string; verdict?: Verdict }): Promise<ConflictAnalysis[]> {
    const rows = this.db
      .prepare('SELECT * FROM conflict_analyses ORDER BY created_at DESC, chunk_a, chunk_b')
      .all() as Row[];
    return rows
      .map((r) => this.decodeConflict(r))
      .filter((c) => !filter?.chunk || c.chunk_a === filter.chunk || c.chunk_b === filter.chunk)
      .filter((c) => !filter?.verdict || (c.override ?? c.verdict) === filter.verdict);
  }

  async invalidateConflicts(chunk: string): Promise<void> {
    const pairs = this.db.transaction(() => {
      const where = 'WHERE (chunk_a = ? OR chunk_b = ?) AND override IS NULL';
      const rows = this.stmt(
        `SELECT chunk_a, chunk_b FROM conflict_analyses ${where} ORDER BY chunk_a, chunk_b`,
      ).all(chunk, chunk) as Row[];
      this.stmt(`DELETE FROM conflict_analyses ${where}`).run(chunk, chunk);
      return rows.map((r): [string, string] => [String(r.chunk_a), String(r.chunk_b)]);
    })();
    // dashboards drop exactly these pairs; an invalidation that dropped nothing changed nothing
    if (pairs.length > 0) this.bus.publish({ type: 'conflicts_invalidated', chunk, pairs });
  }

  async setConflictOverride(x: string, y: string, verdict: Verdict): Promise<ConflictAnalysis> {
    const [a, b] = sortedPair(x, y);
    const saved = this.db.transaction(() => {
      const existing = this.db
        .prepare('SELECT * FROM conflict_analyses WHERE chunk_a = ? AND chunk_b = ?')
        .get(a, b) as Row | undefined;
      const base: ConflictAnalysis = existing
        ? this.decodeConflict(existing)
        : {
            chunk_a: a,
            chunk_b: b,
            verdict,
            confidence: 1,
            stage: 'PROPOSED',
            reason: 'decided by the operator',
            overlapping_files: [],
            overlapping_symbols: [],
            override: null,
            created_at: this.iso(),
          };
      const next = { ...base, override: verdict };
      this.db
        .prepare(
          `INSERT OR REPLACE INTO conflict_analyses (chunk_a, chunk_b, verdict, confidence, stage, reason, overlapping_files,
           overlapping_symbols, override, created_at) VALUES (@chunk_a, @chunk_b, @verdict, @confidence, @stage, @reason,
           @overlapping_files, @overlapping_symbols, @override, @created_at)`,
        )
        .run(toConflictRow(next));
      return next;
    })();
    this.bus.publish({ type: 'conflict_changed', analysis: saved });
    return saved;
  }

  /** an unreadable file or symbol list reads as empty: it only explains a verdict, so it is logged */
  private decodeConflict(row: Row): ConflictAnalysis {
    const { analysis, unreadable } = fromConflictRow(row);
    this.problems.conflict(analysis, unreadable);
    return analysis;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
