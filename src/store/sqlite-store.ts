/**
 * SQLite (WAL) implementation of the store ports: one connection (SqliteDb) shared by one part per
 * concept — units, config, phase runs, attention log, conflicts, verify runs, hosts. Each method is one
 * transaction; events are published only after it committed (SqliteDb.commit).
 */
import Database from 'better-sqlite3';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/events.js';
import type { Logger } from '../ports/logger.js';
import type { WorkUnitStore } from '../ports/store.js';
import { migrate } from './migrations.js';
import { ReadProblems } from './read-problems.js';
import type { Row } from './rows.js';
import { SqliteAttentionLog } from './sqlite-attention-log.js';
import { SqliteConfig } from './sqlite-config.js';
import { SqliteConflicts } from './sqlite-conflicts.js';
import { SqliteDb } from './sqlite-db.js';
import { SqliteHosts } from './sqlite-hosts.js';
import { SqlitePhaseRuns } from './sqlite-phase-runs.js';
import { SqliteUnits } from './sqlite-units.js';
import { SqliteVerifyRuns } from './sqlite-verify-runs.js';

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
  private readonly s: SqliteDb;
  readonly units: SqliteUnits;
  readonly config: SqliteConfig;
  readonly runs: SqlitePhaseRuns;
  readonly attention: SqliteAttentionLog;
  readonly conflicts: SqliteConflicts;
  /** the landing train's verify runs */
  readonly verifyRuns: SqliteVerifyRuns;
  /** the host pool's records and the move of a unit off its host (docs/hosts.md) */
  readonly hosts: SqliteHosts;

  constructor(opts: SqliteStoreOptions) {
    const readonly = opts.readonly ?? false;
    const db = new Database(opts.path, { readonly, fileMustExist: readonly });
    this.s = new SqliteDb(db, opts.bus, opts.clock);
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, this.s.iso());
    }
    const problems = new ReadProblems(opts.log);
    this.units = new SqliteUnits(this.s, problems, readonly);
    this.config = new SqliteConfig(this.s, problems);
    this.runs = new SqlitePhaseRuns(this.s);
    this.attention = new SqliteAttentionLog(this.s);
    this.conflicts = new SqliteConflicts(this.s, problems);
    this.verifyRuns = new SqliteVerifyRuns(this.s);
    this.hosts = new SqliteHosts(this.s);
  }

  schemaVersion(): number {
    const row = this.s.stmt('SELECT MAX(version) AS v FROM schema_migrations').get() as Row | undefined;
    return Number(row?.v ?? 0);
  }

  /** the stored config values that cannot be read, each keeping its default (shown by `ve orch status`) */
  configWarnings(): string[] {
    return this.config.configWarnings();
  }

  // UnitStore
  get: WorkUnitStore['get'] = (...a) => this.units.get(...a);
  list: WorkUnitStore['list'] = (...a) => this.units.list(...a);
  count: WorkUnitStore['count'] = (...a) => this.units.count(...a);
  totals: WorkUnitStore['totals'] = () => this.units.totals();
  create: WorkUnitStore['create'] = (...a) => this.units.create(...a);
  createMany: WorkUnitStore['createMany'] = (...a) => this.units.createMany(...a);
  transition: WorkUnitStore['transition'] = (...a) => this.units.transition(...a);
  update: WorkUnitStore['update'] = (...a) => this.units.update(...a);
  addUsage: WorkUnitStore['addUsage'] = (...a) => this.units.addUsage(...a);
  delete: WorkUnitStore['delete'] = (...a) => this.units.delete(...a);
  history: WorkUnitStore['history'] = (...a) => this.units.history(...a);
  // ConfigStore
  getConfig: WorkUnitStore['getConfig'] = () => this.config.getConfig();
  patchConfig: WorkUnitStore['patchConfig'] = (...a) => this.config.patchConfig(...a);
  // PhaseRunStore
  startPhaseRun: WorkUnitStore['startPhaseRun'] = (...a) => this.runs.startPhaseRun(...a);
  endPhaseRun: WorkUnitStore['endPhaseRun'] = (...a) => this.runs.endPhaseRun(...a);
  phaseRuns: WorkUnitStore['phaseRuns'] = (...a) => this.runs.phaseRuns(...a);
  projectWindow: WorkUnitStore['projectWindow'] = (...a) => this.runs.projectWindow(...a);
  usageLimitWaits: WorkUnitStore['usageLimitWaits'] = () => this.runs.usageLimitWaits();
  // AttentionLogStore
  recordAttentionRaised: WorkUnitStore['recordAttentionRaised'] = (...a) =>
    this.attention.recordAttentionRaised(...a);
  recordAttentionAnswered: WorkUnitStore['recordAttentionAnswered'] = (...a) =>
    this.attention.recordAttentionAnswered(...a);
  attentionLog: WorkUnitStore['attentionLog'] = (...a) => this.attention.attentionLog(...a);
  // ConflictStore
  upsertConflict: WorkUnitStore['upsertConflict'] = (...a) => this.conflicts.upsertConflict(...a);
  getConflict: WorkUnitStore['getConflict'] = (...a) => this.conflicts.getConflict(...a);
  listConflicts: WorkUnitStore['listConflicts'] = (...a) => this.conflicts.listConflicts(...a);
  invalidateConflicts: WorkUnitStore['invalidateConflicts'] = (...a) =>
    this.conflicts.invalidateConflicts(...a);
  setConflictOverride: WorkUnitStore['setConflictOverride'] = (...a) =>
    this.conflicts.setConflictOverride(...a);

  close(): void {
    if (this.s.db.open) this.s.db.close();
  }
}
