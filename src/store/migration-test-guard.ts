/**
 * Schema version 9: the test guard (docs/verification.md "Test guard"). A unit whose diff weakens
 * its tests waits for the operator; `tests_accepted` records that the operator let these changes land,
 * until the unit's agent works on it again.
 */
import type { Migration } from './migrations.js';

export const TEST_GUARD_MIGRATION: Migration = {
  version: 9,
  name: 'the operator accepted the unit’s test changes',
  sql: 'ALTER TABLE work_units ADD COLUMN tests_accepted INTEGER NOT NULL DEFAULT 0;',
};
