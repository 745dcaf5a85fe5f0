/**
 * Numbered schema migrations in one ordered list. The schema version is the last entry's number;
 * a test pins that, so a migration can never be defined without being registered.
 */
import type Database from 'better-sqlite3';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { BUDGET_MIGRATION } from './migration-budget.js';
import { HOSTS_MIGRATION } from './migration-hosts.js';
import { TEST_GUARD_MIGRATION } from './migration-test-guard.js';
import type { Row } from './rows.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'work units, audit log, config',
    sql: `
      CREATE TABLE work_units (
        chunk TEXT PRIMARY KEY,
        phase TEXT NOT NULL,
        status TEXT NOT NULL,
        blocked_by TEXT NOT NULL DEFAULT '[]',
        priority INTEGER NOT NULL DEFAULT 0,
        explicit_deps INTEGER NOT NULL DEFAULT 0,
        worktree TEXT,
        base_branch TEXT,
        session_id TEXT,
        pending_answer TEXT,
        reentry_context TEXT,
        attention_reason TEXT,
        attention_kind TEXT,
        attention_at TEXT,
        question TEXT,
        api_retry_count INTEGER NOT NULL DEFAULT 0,
        next_retry_at TEXT,
        review_iterations INTEGER NOT NULL DEFAULT 0,
        review_nudge_count INTEGER NOT NULL DEFAULT 0,
        implement_iterations INTEGER NOT NULL DEFAULT 0,
        merge_conflict_retries INTEGER NOT NULL DEFAULT 0,
        completion_retries INTEGER NOT NULL DEFAULT 0,
        retain_worktree INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        tokens_in INTEGER NOT NULL DEFAULT 0,
        tokens_out INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX work_units_status ON work_units(status);
      CREATE INDEX work_units_queue ON work_units(priority DESC, created_at ASC);
      CREATE TABLE status_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk TEXT NOT NULL,
        old_status TEXT,
        new_status TEXT NOT NULL,
        phase TEXT,
        event TEXT NOT NULL,
        reason TEXT,
        source TEXT NOT NULL,
        actor TEXT,
        forced INTEGER NOT NULL DEFAULT 0,
        at TEXT NOT NULL
      );
      CREATE INDEX status_log_chunk ON status_log(chunk);
      CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'phase runs and attention log',
    sql: `
      CREATE TABLE phase_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk TEXT NOT NULL,
        phase TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        outcome TEXT,
        session_id TEXT,
        cost_usd REAL NOT NULL DEFAULT 0,
        tokens_in INTEGER NOT NULL DEFAULT 0,
        tokens_out INTEGER NOT NULL DEFAULT 0,
        error TEXT
      );
      CREATE INDEX phase_runs_chunk ON phase_runs(chunk);
      CREATE TABLE attention_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk TEXT NOT NULL,
        kind TEXT NOT NULL,
        question_id TEXT,
        phase TEXT,
        raised TEXT,
        answer TEXT,
        answered_by TEXT,
        raised_at TEXT NOT NULL,
        answered_at TEXT
      );
      CREATE INDEX attention_log_chunk ON attention_log(chunk);
    `,
  },
  {
    version: 3,
    name: 'conflict analyses',
    sql: `
      CREATE TABLE conflict_analyses (
        chunk_a TEXT NOT NULL,
        chunk_b TEXT NOT NULL,
        verdict TEXT NOT NULL,
        confidence REAL NOT NULL,
        stage TEXT NOT NULL,
        reason TEXT NOT NULL,
        overlapping_files TEXT NOT NULL DEFAULT '[]',
        overlapping_symbols TEXT NOT NULL DEFAULT '[]',
        override TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (chunk_a, chunk_b)
      );
      CREATE INDEX conflict_analyses_b ON conflict_analyses(chunk_b);
    `,
  },
  {
    version: 4,
    name: 'finalizing flag',
    sql: 'ALTER TABLE work_units ADD COLUMN finalizing INTEGER NOT NULL DEFAULT 0;',
  },
  {
    version: 5,
    name: 'landing train and verify runs',
    sql: `
      ALTER TABLE work_units ADD COLUMN train_seq INTEGER;
      ALTER TABLE work_units ADD COLUMN verify_retries INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE work_units ADD COLUMN land_unverified INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE work_units ADD COLUMN verify_ms INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX work_units_recent ON work_units(status, updated_at, chunk);
      CREATE TABLE verify_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk TEXT,
        purpose TEXT NOT NULL,
        base_tip TEXT NOT NULL,
        spec_commit TEXT NOT NULL,
        ahead TEXT NOT NULL DEFAULT '[]',
        command TEXT NOT NULL,
        slot INTEGER NOT NULL,
        sandboxed INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        outcome TEXT,
        exit_code INTEGER,
        duration_ms INTEGER,
        flaky INTEGER NOT NULL DEFAULT 0,
        pid INTEGER,
        pid_start TEXT,
        log_path TEXT,
        tail TEXT
      );
      CREATE INDEX verify_runs_chunk ON verify_runs(chunk);
      CREATE INDEX verify_runs_spec ON verify_runs(spec_commit);
    `,
  },
  {
    version: 6,
    name: 'phase exit checks: nudges, system notes, turn extensions, the tip a phase started from',
    sql: `
      ALTER TABLE work_units RENAME COLUMN review_nudge_count TO nudge_count;
      ALTER TABLE work_units DROP COLUMN completion_retries;
      ALTER TABLE work_units ADD COLUMN pending_nudge TEXT;
      ALTER TABLE work_units ADD COLUMN turn_extensions INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE work_units ADD COLUMN phase_start_tip TEXT;
    `,
  },
  HOSTS_MIGRATION,
  BUDGET_MIGRATION,
  TEST_GUARD_MIGRATION,
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Applies the migrations newer than the database, each in its own transaction; refuses a newer database. */
export function migrate(db: Database.Database, now: string): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const current = Number((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as Row).v ?? 0);
  if (current > SCHEMA_VERSION) {
    throw new OrchError(
      ErrorCode.internal,
      `database schema version ${current} is newer than this ve (${SCHEMA_VERSION}); upgrade ve`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now,
      );
    })();
  }
}
