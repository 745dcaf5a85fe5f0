/**
 * Stored values the store cannot read back (a corrupt JSON column, a config value that no longer
 * validates): each is logged once, not on every read, since the scheduler reads every unit per pass.
 */

import type { StoredConfig } from '../config/stored.js';
import type { ConflictAnalysis } from '../domain/conflict.js';
import type { Logger } from '../ports/logger.js';
import { excerpt } from '../shared/text.js';
import type { DecodedUnit, UnreadableValue } from './rows.js';

export class ReadProblems {
  private readonly reported = new Set<string>();

  constructor(private readonly log: Logger) {}

  private once(key: string, report: () => void): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    report();
  }

  private values(
    what: string,
    unreadable: readonly UnreadableValue[],
    fields: Record<string, unknown>,
  ): void {
    for (const u of unreadable) {
      this.once(`${what} ${JSON.stringify(fields)} ${u.column} ${u.raw}`, () =>
        this.log.warn(`stored ${what} value cannot be read`, {
          ...fields,
          column: u.column,
          error: u.error,
          stored: excerpt(u.raw),
        }),
      );
    }
  }

  unit(d: DecodedUnit, held: boolean): void {
    this.values('work-unit', d.unreadable, { chunk: d.unit.chunk, held });
  }

  conflict(analysis: ConflictAnalysis, unreadable: readonly UnreadableValue[]): void {
    this.values('conflict', unreadable, { pair: `${analysis.chunk_a}|${analysis.chunk_b}` });
  }

  config(stored: StoredConfig): void {
    for (const w of stored.warnings) {
      this.once(`config ${w}`, () => this.log.warn('stored config value cannot be read', { problem: w }));
    }
    for (const key of stored.unknown) {
      this.once(`config key ${key}`, () =>
        this.log.info('stored config key is not a setting of this version; ignored', { key }),
      );
    }
  }
}
