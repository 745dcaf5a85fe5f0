/**
 * Schema version 8: budgets (docs/agents.md "Budgets"). The project's budget window sums the cost of
 * the phase runs that ended within it on every dispatch pass; this index keeps that a range read.
 * (Version 7 belongs to the host pool's migration.)
 */
import type { Migration } from './migrations.js';

export const BUDGET_MIGRATION: Migration = {
  version: 8,
  name: 'phase runs by end time, for the project budget window',
  sql: 'CREATE INDEX phase_runs_ended ON phase_runs(ended_at);',
};
