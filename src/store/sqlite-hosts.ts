/** The host pool's records in the store's database, and the move of a unit off its host (docs/hosts.md). */
import { ErrorCode, NotFoundError, OrchError } from '../domain/errors.js';
import { type Host, type HostState, type HostTools, LOCAL_HOST } from '../domain/host.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { ChangeEvent } from '../ports/events.js';
import type { HostCheckRecord, HostStore, NewHost } from '../ports/hosts.js';
import { fromUnitRow, type Row } from './rows.js';
import type { SqliteDb } from './sqlite-db.js';
import { logStatusRow, writeUnitRow } from './unit-writes.js';

export class SqliteHosts implements HostStore {
  constructor(private readonly s: SqliteDb) {}

  async list(): Promise<Host[]> {
    const rows = this.s.stmt(`SELECT * FROM hosts ORDER BY name = '${LOCAL_HOST}' DESC, name`).all() as Row[];
    return rows.map(fromHostRow);
  }

  async get(name: string): Promise<Host | undefined> {
    return this.read(name);
  }

  async add(host: NewHost): Promise<Host> {
    return this.s.commit(() => {
      const existing = this.read(host.name);
      if (existing)
        throw new OrchError(
          ErrorCode.already_exists,
          existing.state === 'removed'
            ? `host '${host.name}' was removed and its old copies are not cleaned yet; use another name, or forget it: ve orch hosts remove ${host.name} --forget`
            : `host '${host.name}' already exists`,
          { name: host.name },
        );
      this.s
        .stmt(
          `INSERT INTO hosts (name, ssh, slots, workdir, claude_path, state, health, created_at)
           VALUES (@name, @ssh, @slots, @workdir, @claude_path, 'active', 'unknown', @created_at)`,
        )
        .run({ ...host, created_at: this.s.iso() });
      return changed(this.mustRead(host.name));
    });
  }

  async setState(name: string, state: HostState): Promise<Host> {
    return this.s.commit(() => {
      this.mustRead(name);
      this.s.stmt('UPDATE hosts SET state = ? WHERE name = ?').run(state, name);
      return changed(this.mustRead(name));
    });
  }

  async setSlots(name: string, slots: number): Promise<Host> {
    return this.s.commit(() => {
      this.mustRead(name);
      this.s.stmt('UPDATE hosts SET slots = ? WHERE name = ?').run(slots, name);
      return changed(this.mustRead(name));
    });
  }

  async recordCheck(name: string, check: HostCheckRecord): Promise<Host> {
    return this.s.commit(() => {
      const before = this.mustRead(name);
      const tools = check.tools === undefined ? before.tools : check.tools;
      this.s
        .stmt('UPDATE hosts SET health = ?, health_detail = ?, tools = ?, last_check = ? WHERE name = ?')
        .run(check.health, check.detail, tools === null ? null : JSON.stringify(tools), this.s.iso(), name);
      const after = this.mustRead(name);
      const news =
        before.health !== after.health ||
        before.health_detail !== after.health_detail ||
        JSON.stringify(before.tools) !== JSON.stringify(after.tools);
      return news ? changed(after) : { value: after, events: [] };
    });
  }

  async forget(name: string): Promise<void> {
    this.s.commit(() => {
      const host = this.mustRead(name);
      if (host.state !== 'removed')
        throw new OrchError(ErrorCode.conflict, `host '${name}' is ${host.state}: remove it first`);
      this.s.stmt('DELETE FROM hosts WHERE name = ?').run(name);
      return { value: undefined, events: [{ type: 'host_forgotten', name }] };
    });
  }

  async reassignUnit(
    chunk: string,
    change: { from: string; reason: string; note: string | null },
  ): Promise<WorkUnit> {
    return this.s.commit(() => {
      const row = this.s.stmt('SELECT * FROM work_units WHERE chunk = ?').get(chunk) as Row | undefined;
      if (!row) throw new NotFoundError('work unit', chunk);
      const current = fromUnitRow(row).unit;
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
        updated_at: this.s.iso(),
        version: current.version + 1,
      };
      writeUnitRow(this.s, next, current.version);
      logStatusRow(this.s, {
        chunk,
        old_status: current.status,
        new_status: next.status,
        phase: next.phase,
        event: 'reassign',
        reason: change.reason,
        source: 'hosts',
        forced: false,
      });
      return {
        value: next,
        events: [
          { type: 'unit_changed', unit: next, previous: current, source: 'hosts', reason: change.reason },
        ],
      };
    });
  }

  private read(name: string): Host | undefined {
    const row = this.s.stmt('SELECT * FROM hosts WHERE name = ?').get(name) as Row | undefined;
    return row ? fromHostRow(row) : undefined;
  }

  private mustRead(name: string): Host {
    const host = this.read(name);
    if (!host) throw new NotFoundError('host', name);
    return host;
  }
}

function changed(host: Host): { value: Host; events: ChangeEvent[] } {
  return { value: host, events: [{ type: 'host_changed', host }] };
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
