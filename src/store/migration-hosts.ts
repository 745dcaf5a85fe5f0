/**
 * Schema version 7: the host pool (docs/hosts.md). The `hosts` table, with the implicit host `local`
 * as a row of its own (so it can be drained like any other), and each unit's placement and lease.
 * Units that already ran on this machine before hosts existed are placed on `local`.
 */
import type { Migration } from './migrations.js';

export const HOSTS_MIGRATION: Migration = {
  version: 7,
  name: 'host pool and unit placement',
  sql: `
    CREATE TABLE hosts (
      name TEXT PRIMARY KEY,
      ssh TEXT,
      slots INTEGER,
      workdir TEXT,
      claude_path TEXT,
      state TEXT NOT NULL DEFAULT 'active',
      health TEXT NOT NULL DEFAULT 'unknown',
      health_detail TEXT,
      tools TEXT,
      last_check TEXT,
      created_at TEXT NOT NULL
    );
    INSERT INTO hosts (name, state, health, created_at)
      VALUES ('local', 'active', 'ok', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    ALTER TABLE work_units ADD COLUMN host TEXT;
    ALTER TABLE work_units ADD COLUMN host_epoch INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE work_units ADD COLUMN host_token TEXT;
    ALTER TABLE work_units ADD COLUMN fetch_pending INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE work_units ADD COLUMN fetched_at TEXT;
    UPDATE work_units SET host = 'local', host_epoch = 1, host_token = lower(hex(randomblob(8)))
      WHERE worktree IS NOT NULL OR session_id IS NOT NULL OR status IN ('VERIFYING', 'DONE');
    CREATE INDEX work_units_host ON work_units(host);
  `,
};
