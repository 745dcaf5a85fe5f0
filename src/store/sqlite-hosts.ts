/** The host pool's records in the store's database, and the move of a unit off its host (docs/hosts.md). */
import type Database from 'better-sqlite3';
import { ErrorCode, NotFoundError, OrchError } from '../domain/errors.js';
import { type Host, type HostState, type HostTools, LOCAL_HOST } from '../domain/host.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { EventBus } from '../ports/events.js';
import type { HostCheckRecord, HostStore, NewHost } from '../ports/hosts.js';
import { fromUnitRow, type Row } from './rows.js';
import { INSERT_STATUS_LOG_SQL, statusLogParams, UPDATE_UNIT_SQL, writeUnitRow } from './unit-writes.js';

export class SqliteHosts implements HostStore {
  constructor(
    private readonly db: Database.Database,
    private readonly bus: EventBus,
    private readonly iso: () => string,
  ) {}

  async list(): Promise<Host[]> {
    const rows = this.db
      .prepare(`SELECT * FROM hosts ORDER BY name = '${LOCAL_HOST}' DESC, name`)
      .all() as Row[];
    return rows.map(fromHostRow);
  }

  async get(name: string): Promise<Host | undefined> {
    return this.read(name);
  }

  async add(host: NewHost): Promise<Host> {
    const saved = this.db.transaction(() => {
      const existing = this.read(host.name);
      if (existing)
        throw new OrchError(
          ErrorCode.already_exists,
          existing.state === 'removed'
            ? `host '${host.name}' was removed and its old copies are not cleaned yet; use another name, or forget it: ve orch hosts remove ${host.name} --forget`
            : `host '${host.name}' already exists`,
          { name: host.name },
        );
      this.db
        .prepare(
          `INSERT INTO hosts (name, ssh, slots, workdir, claude_path, state, health, created_at)
           VALUES (@name, @ssh, @slots, @workdir, @claude_path, 'active', 'unknown', @created_at)`,
        )
        .run({ ...host, created_at: this.iso() });
      return this.mustRead(host.name);
    })();
    this.bus.publish({ type: 'host_changed', host: saved });
    return saved;
  }

  async setState(name: string, state: HostState): Promise<Host> {
    const saved = this.db.transaction(() => {
      this.mustRead(name);
      this.db.prepare('UPDATE hosts SET state = ? WHERE name = ?').run(state, name);
      return this.mustRead(name);
    })();
    this.bus.publish({ type: 'host_changed', host: saved });
    return saved;
  }

  async recordCheck(name: string, check: HostCheckRecord): Promise<Host> {
    const { before, after } = this.db.transaction(() => {
      const before = this.mustRead(name);
      const tools = check.tools === undefined ? before.tools : check.tools;
      this.db
        .prepare('UPDATE hosts SET health = ?, health_detail = ?, tools = ?, last_check = ? WHERE name = ?')
        .run(check.health, check.detail, tools === null ? null : JSON.stringify(tools), this.iso(), name);
      return { before, after: this.mustRead(name) };
    })();
    const changed =
      before.health !== after.health ||
      before.health_detail !== after.health_detail ||
      JSON.stringify(before.tools) !== JSON.stringify(after.tools);
    if (changed) this.bus.publish({ type: 'host_changed', host: after });
    return after;
  }

  async forget(name: string): Promise<void> {
    this.db.transaction(() => {
      const host = this.mustRead(name);
      if (host.state !== 'removed')
        throw new OrchError(ErrorCode.conflict, `host '${name}' is ${host.state}: remove it first`);
      this.db.prepare('DELETE FROM hosts WHERE name = ?').run(name);
    })();
    this.bus.publish({ type: 'host_forgotten', name });
  }

  async reassignUnit(
    chunk: string,
    change: { from: string; reason: string; note: string | null },
  ): Promise<WorkUnit> {
    const { current, next } = this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM work_units WHERE chunk = ?').get(chunk) as Row | undefined;
      if (!row) throw new NotFoundError('work unit', chunk);
      const current = fromUnitRow(row);
      if (current.host !== change.from)
        throw new OrchError(
          ErrorCode.conflict,
          `unit '${chunk}' is on ${current.host ?? 'no host'}, not ${change.from}`,
          { chunk, host: current.host },
        );
      const next: WorkUnit = {
        ...current,
        host: null,
        session_id: null,
        fetch_pending: false,
        pending_answer: change.note ?? current.pending_answer,
        updated_at: this.iso(),
        version: current.version + 1,
      };
      writeUnitRow(this.db.prepare(UPDATE_UNIT_SQL), next, current.version);
      this.db.prepare(INSERT_STATUS_LOG_SQL).run(
        statusLogParams(
          {
            chunk,
            old_status: current.status,
            new_status: next.status,
            phase: next.phase,
            event: 'reassign',
            reason: change.reason,
            source: 'hosts',
            forced: false,
          },
          this.iso(),
        ),
      );
      return { current, next };
    })();
    this.bus.publish({
      type: 'unit_changed',
      unit: next,
      previous: current,
      source: 'hosts',
      reason: change.reason,
    });
    return next;
  }

  private read(name: string): Host | undefined {
    const row = this.db.prepare('SELECT * FROM hosts WHERE name = ?').get(name) as Row | undefined;
    return row ? fromHostRow(row) : undefined;
  }

  private mustRead(name: string): Host {
    const host = this.read(name);
    if (!host) throw new NotFoundError('host', name);
    return host;
  }
}

function fromHostRow(r: Row): Host {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  let tools: HostTools | null = null;
  if (typeof r.tools === 'string') {
    try {
      tools = JSON.parse(r.tools) as HostTools;
    } catch {
      // an unreadable report reads as none: the next check writes a fresh one
      tools = null;
    }
  }
  return {
    name: String(r.name),
    ssh: str(r.ssh),
    slots: r.slots === null || r.slots === undefined ? null : Number(r.slots),
    workdir: str(r.workdir),
    claude_path: str(r.claude_path),
    state: String(r.state) as Host['state'],
    health: String(r.health) as Host['health'],
    health_detail: str(r.health_detail),
    tools,
    last_check: str(r.last_check),
    created_at: String(r.created_at),
  };
}
