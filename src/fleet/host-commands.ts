/**
 * The operator's commands on the host pool (docs/hosts.md): add, list, check, drain, activate and
 * remove, with the removal's reassignment of units (reassign.ts). `local` is always there: it can be
 * drained and checked, never added or removed.
 */
import { ErrorCode, isOrchError, NotFoundError, OrchError } from '../domain/errors.js';
import {
  assertHostName,
  assertSlots,
  type Host,
  type HostTools,
  healthOf,
  LOCAL_HOST,
  missingTools,
  slotsOf,
} from '../domain/host.js';
import { parseSshTarget } from '../domain/ssh-target.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { UnitStore } from '../ports/store.js';
import { type ReassignDeps, type Reassignment, reassignUnits } from './reassign.js';

/** What the host commands need: those of reassignment (the stores, live phases, connections). */
export type FleetDeps = ReassignDeps;

/** A host with what runs on it now. */
export interface HostView extends Host {
  /** slots in force (`local`: max_agents) */
  slots_total: number;
  /** phases running there now */
  slots_used: number;
  /** units placed there that are not done */
  units: string[];
}

export interface AddHostRequest {
  name: string;
  ssh: string;
  slots?: number;
  workdir?: string;
  claude?: string;
}

export interface HostCheckReport {
  name: string;
  health: Host['health'];
  detail: string | null;
  tools: HostTools | null;
  /** what the host lacks: git and Claude Code are required, bwrap and socat give the OS sandbox */
  missing: { required: string[]; optional: string[] };
  ms: number;
}

export interface RemoveResult {
  name: string;
  /** the record is gone (false: kept as removed until its old copies can be cleaned) */
  forgotten: boolean;
  /** why the record is kept, when it is */
  pending: string | null;
  reassigned: Reassignment[];
}

export const DEFAULT_SLOTS = 2;
export const DEFAULT_WORKDIR = '.ve-hosts';
export const DEFAULT_CLAUDE = 'claude';

/** Values ve passes to a remote shell as quoted words: printable, one line, bounded. */
function assertRemotePath(what: string, value: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (value === '' || value.length > 512 || /[\u0000-\u001f\u007f]/.test(value))
    throw new OrchError(ErrorCode.invalid_input, `invalid ${what}: 1-512 printable characters on one line`, {
      [what]: value.slice(0, 80),
    });
}

export function createHostCommands(deps: FleetDeps) {
  const { hosts, connections, store, live } = deps;

  const mustGet = async (name: string): Promise<Host> => {
    const host = await hosts.get(name);
    if (!host) throw new NotFoundError('host', name);
    return host;
  };

  const list = async (): Promise<HostView[]> => {
    const [all, units, config] = await Promise.all([
      hosts.list(),
      store.list({ active: true }),
      store.getConfig(),
    ]);
    const running = new Set(live.running());
    return all.map((h) => {
      const mine = units.filter((u) => u.host === h.name);
      return {
        ...h,
        slots_total: slotsOf(h, config.max_agents),
        slots_used: mine.filter((u) => running.has(u.chunk)).length,
        units: mine.map((u) => u.chunk as string),
      };
    });
  };

  const checkOne = async (host: Host): Promise<HostCheckReport> => {
    const found = await connections.check(host);
    const { health, detail } = healthOf(found.unreachable, found.tools);
    await hosts.recordCheck(host.name, { health, detail, ...(found.tools ? { tools: found.tools } : {}) });
    return {
      name: host.name,
      health,
      detail,
      tools: found.tools,
      missing: found.tools ? missingTools(found.tools) : { required: [], optional: [] },
      ms: Math.round(found.ms),
    };
  };

  return {
    list,

    async add(req: AddHostRequest): Promise<{ host: HostView; check: HostCheckReport }> {
      assertHostName(req.name);
      if (req.name === LOCAL_HOST)
        throw new OrchError(
          ErrorCode.invalid_name,
          `'${LOCAL_HOST}' is the daemon's own machine, always there`,
        );
      parseSshTarget(req.ssh);
      const slots = req.slots ?? DEFAULT_SLOTS;
      assertSlots(slots);
      const workdir = req.workdir ?? DEFAULT_WORKDIR;
      assertRemotePath('workdir', workdir);
      const claude = req.claude ?? DEFAULT_CLAUDE;
      assertRemotePath('claude', claude);
      const host = await hosts.add({ name: req.name, ssh: req.ssh, slots, workdir, claude_path: claude });
      const check = await checkOne(host);
      const view = (await list()).find((h) => h.name === host.name) as HostView;
      return { host: view, check };
    },

    /** checks every host that is not removed (or the one named) now, and records what it found */
    async check(name?: string): Promise<HostCheckReport[]> {
      const targets = name
        ? [await mustGet(name)]
        : (await hosts.list()).filter((h) => h.state !== 'removed');
      if (name && targets[0]?.state === 'removed')
        throw new OrchError(ErrorCode.conflict, `host '${name}' is removed`);
      return Promise.all(targets.map(checkOne));
    },

    async drain(name: string): Promise<HostView> {
      const host = await mustGet(name);
      if (host.state === 'removed') throw new OrchError(ErrorCode.conflict, `host '${name}' is removed`);
      await hosts.setState(name, 'draining');
      return (await list()).find((h) => h.name === name) as HostView;
    },

    /**
     * Changes how many agents a host may run at once. Phases already running above a lowered count
     * finish; a raised count takes waiting units at once (the change wakes the scheduler).
     */
    async setSlots(name: string, slots: number): Promise<HostView> {
      if (name === LOCAL_HOST)
        throw new OrchError(
          ErrorCode.invalid_input,
          `'${LOCAL_HOST}' runs max_agents agents: ve orch config --max-agents ${slots}`,
        );
      assertSlots(slots);
      const host = await mustGet(name);
      if (host.state === 'removed') throw new OrchError(ErrorCode.conflict, `host '${name}' is removed`);
      await hosts.setSlots(name, slots);
      return (await list()).find((h) => h.name === name) as HostView;
    },

    async activate(name: string): Promise<HostView> {
      const host = await mustGet(name);
      if (host.state === 'removed')
        throw new OrchError(ErrorCode.conflict, `host '${name}' is removed; add it again under another name`);
      await hosts.setState(name, 'active');
      return (await list()).find((h) => h.name === name) as HostView;
    },

    /**
     * Takes the host out of the pool. Its units must go elsewhere first (`reassign`), each restarting
     * from the last fetched state of its branch; the record stays (state removed) until the host can
     * be reached and its old copies stopped and deleted, unless `forget`.
     */
    async remove(name: string, opts: { reassign: boolean; forget: boolean }): Promise<RemoveResult> {
      if (name === LOCAL_HOST)
        throw new OrchError(ErrorCode.invalid_input, `'${LOCAL_HOST}' cannot be removed; drain it instead`);
      const host = await mustGet(name);
      const placed = (await store.list({ active: true })).filter((u) => u.host === name);
      if (placed.length > 0 && !opts.reassign)
        throw new OrchError(
          ErrorCode.conflict,
          `host '${name}' has ${placed.length} unit(s) (${names(placed)}): move them with --reassign, or drain the host and let them finish`,
          { units: placed.map((u) => u.chunk) },
        );
      if (host.state !== 'removed') await hosts.setState(name, 'removed');
      const reassigned = await reassignUnits(deps, host, placed);
      if (opts.forget) {
        await hosts.forget(name);
        return { name, forgotten: true, pending: null, reassigned };
      }
      const pending = await sweepRemoved(deps, host);
      return { name, forgotten: pending === null, pending, reassigned };
    },
  };
}

export type HostCommands = ReturnType<typeof createHostCommands>;

/**
 * Stops and deletes a removed host's copies of this project, then forgets it. Returns null when done,
 * else why not: units are still placed there (a removal is moving them), or the host cannot be
 * reached (the monitor tries again).
 */
export async function sweepRemoved(
  deps: Pick<FleetDeps, 'hosts' | 'connections' | 'log'> & { store: Pick<UnitStore, 'list'> },
  host: Host,
): Promise<string | null> {
  const placed = (await deps.store.list({ active: true })).filter((u) => u.host === host.name).length;
  if (placed > 0) return `${placed} unit(s) still placed there`;
  const down = await deps.connections.ping(host);
  if (down !== null)
    return `host unreachable (${down}): its old copies are stopped and deleted when it is back`;
  await deps.connections.sweep(host);
  try {
    await deps.hosts.forget(host.name);
  } catch (err) {
    // swept and forgotten meanwhile by the other side (a removal and the monitor)
    if (!isOrchError(err, 'not_found')) throw err;
  }
  deps.log.info('removed host swept and forgotten', { host: host.name });
  return null;
}

function names(units: readonly WorkUnit[]): string {
  const shown = units.slice(0, 5).map((u) => u.chunk);
  return `${shown.join(', ')}${units.length > 5 ? ', …' : ''}`;
}
