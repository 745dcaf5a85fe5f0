/**
 * The store's one connection, shared by its per-concept parts: cached statements, the clock's time,
 * and the one way to write — a transaction, then its events published only once it has committed.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../ports/clock.js';
import type { ChangeEvent, EventBus } from '../ports/events.js';

export class SqliteDb {
  /** prepared statements are cached: preparing costs more than running these small queries */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /** epoch ms, by the clock */
  now(): number {
    return this.clock.now();
  }

  iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * Runs `work` in one transaction and publishes the events it returns after the commit, so every
   * subscriber sees only committed state (and a rolled-back change is never broadcast).
   */
  commit<T>(work: () => { value: T; events: ChangeEvent[] }): T {
    const { value, events } = this.db.transaction(work)();
    for (const e of events) this.bus.publish(e);
    return value;
  }
}
