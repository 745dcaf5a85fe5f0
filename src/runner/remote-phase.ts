/**
 * One phase of a unit placed on a host other than `local` (docs/hosts.md, "A phase on a host"). The
 * daemon keeps its own copy of the unit's worktree (`.ve/chunks/<c>/worktree`, as for a local unit)
 * and everything central works on that copy: the chunk's status, review feedback, the post-phase
 * checks, the merge. The agent works in the host's worktree. The two meet at the phase boundaries:
 *
 * - `open`: the mirror is brought up to date and the host's worktree made or found (fenced by the
 *   lease); if a phase ran there since the last fetch (a connection lost mid-phase), whatever it left
 *   running is stopped and its work fetched first, so nothing is lost and nothing runs twice;
 * - `begin`: the daemon's copy (branch, uncommitted and untracked files) is sent to the host, and the
 *   agent's host context (where Claude Code starts, the sandbox's paths there) is handed out;
 * - `end`: once every process of the launch has ended, the branch and the worktree's state come back
 *   into the daemon's copy (compare-and-swap on the branch, fenced by the lease).
 *
 * A host that cannot be reached surfaces as HostUnreachableError; the runner then leaves the unit
 * waiting for its host (not failed, nothing counted against the agent).
 */
import { unitBranch } from '../config/paths.js';
import type { OrchestratorConfig } from '../config/schema.js';
import { ErrorCode, HostUnreachableError, OrchError } from '../domain/errors.js';
import type { Host } from '../domain/host.js';
import type { Lease } from '../domain/lease.js';
import { needsHost } from '../domain/placement.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { AgentHost } from '../ports/agent-backend.js';
import { type Clock, isoNow } from '../ports/clock.js';
import type { SetupResult } from '../ports/dependencies.js';
import type {
  ClaudeLauncher,
  HostConnections,
  HostStore,
  HostWorkspace,
  HostWorktree,
} from '../ports/hosts.js';
import type { Logger } from '../ports/logger.js';
import type { UnitStore } from '../ports/store.js';
import type { Worktrees } from '../ports/worktrees.js';

export interface RemoteDeps {
  store: UnitStore;
  worktrees: Pick<Worktrees, 'branchTips'>;
  clock: Clock;
  log: Logger;
  hosts: {
    store: Pick<HostStore, 'get' | 'recordCheck'>;
    connections: Pick<HostConnections, 'workspace'>;
    /** the setup a worktree gets: configured, or detected from its files; null for none */
    setupCommand(worktree: string, config: OrchestratorConfig): Promise<string | null>;
  };
}

/** How long a setup command may run on a host (as locally: git/setup-command.ts). */
const SETUP_TIMEOUT_SECONDS = 600;

/** What a resumed session is told first after its connection to the host was cut mid-phase. */
export const RESUME_AFTER_HOST_LOSS =
  'The connection to the machine you work on was lost during this phase and is back now. Your work so far is in the worktree: check it (git status, git log) and continue the phase.';

export class RemotePhase {
  private launcher: ClaudeLauncher | null = null;

  private constructor(
    private readonly deps: RemoteDeps,
    readonly unit: WorkUnit,
    private readonly host: Host,
    private readonly workspace: HostWorkspace,
    private readonly lease: Lease,
    readonly worktree: HostWorktree,
    /** the daemon's copy of the worktree */
    private readonly local: string,
  ) {}

  /** null for a unit that runs on the daemon's machine, or that needs no host now (its merge) */
  static async open(
    deps: RemoteDeps,
    unit: WorkUnit,
    baseBranch: string,
    local: string,
  ): Promise<RemotePhase | null> {
    if (unit.host === null || unit.host === 'local' || !needsHost(unit)) return null;
    const host = await deps.hosts.store.get(unit.host);
    if (!host || host.state === 'removed')
      throw new OrchError(
        ErrorCode.conflict,
        `unit ${unit.chunk} is placed on host ${unit.host}, which left the pool`,
      );
    if (!unit.host_token)
      throw new OrchError(ErrorCode.internal, `unit ${unit.chunk} has no lease on ${unit.host}`);
    const lease = { epoch: unit.host_epoch, token: unit.host_token };
    const workspace = deps.hosts.connections.workspace(host);
    await workspace.ensureMirror(baseBranch);
    const worktree = await workspace.ensureWorktree(unit.chunk, {
      baseBranch,
      lease,
      startPoint: unitBranch(unit.chunk),
    });
    let current = unit;
    if (unit.fetch_pending) {
      if (worktree.created) {
        // the host no longer had the worktree (wiped, or replaced): what ran there is gone
        deps.log.warn('host lost the unit’s unfetched work', { chunk: unit.chunk, host: host.name });
      } else {
        // a phase cut by a lost connection: stop what it left, then bring its work back
        await workspace.stopUnit(unit.chunk, lease);
        await workspace.fetchBack(unit.chunk, lease, await localTip(deps, unit.chunk), local);
      }
      current = await deps.store.update(
        unit.chunk,
        { fetch_pending: false, ...(worktree.created ? {} : { fetched_at: isoNow(deps.clock) }) },
        { source: 'runner' },
      );
    }
    return new RemotePhase(deps, current, host, workspace, lease, worktree, local);
  }

  get hostName(): string {
    return this.host.name;
  }

  /**
   * The worktree's dependencies on the host: the setup command (configured, or detected from the
   * daemon's copy, which holds the same files) runs there unless it already succeeded in this
   * worktree. Unlike on `local` it runs before the phase, and without the shared package caches.
   */
  async ensureSetup(config: OrchestratorConfig): Promise<SetupResult> {
    const command = await this.deps.hosts.setupCommand(this.local, config);
    if (command === null) return { kind: 'ready' };
    const r = await this.workspace.runSetup(this.unit.chunk, this.lease, command, SETUP_TIMEOUT_SECONDS);
    if (r.code === 0) return { kind: 'ready' };
    const output = `${r.stdout}${r.stderr}`.trim().slice(-4000);
    const how = r.code === 124 ? `timed out after ${SETUP_TIMEOUT_SECONDS} s` : `exited ${r.code}`;
    return {
      kind: 'failed',
      message: `${JSON.stringify(command)} ${how} on host ${this.host.name}${output ? `:\n${output}` : ''}`,
    };
  }

  /** sends the daemon's copy to the host and returns where the agent runs */
  async begin(): Promise<AgentHost> {
    const sent = await this.workspace.sendState(this.unit.chunk, this.lease, this.local);
    this.deps.log.info('work sent to host', {
      host: this.host.name,
      ms: Math.round(sent.ms),
      objects: sent.objects,
    });
    // from here until `end`, the host holds the newer work
    await this.deps.store.update(this.unit.chunk, { fetch_pending: true }, { source: 'runner' });
    const launcher = await this.workspace.claudeLauncher({ chunk: this.unit.chunk, lease: this.lease });
    this.launcher = launcher;
    const spawn = launcher.spawn;
    if (!spawn) throw new OrchError(ErrorCode.internal, `host ${this.host.name} has no launcher`);
    const tools = this.host.tools;
    const missing = tools ? (['bwrap', 'socat'] as const).filter((t) => tools[t] === null) : null;
    return {
      name: this.host.name,
      spawn,
      gitDir: this.worktree.gitDir,
      commonDir: this.worktree.commonDir,
      excludesFile: this.worktree.excludesFile,
      tmpDir: this.worktree.tmpDir,
      osSandboxUnavailable:
        missing === null
          ? `the tools of host ${this.host.name} were not checked`
          : missing.length > 0
            ? `${missing.join(' and ')} missing on host ${this.host.name}`
            : null,
      landingPaths: (paths) => this.workspace.landingPaths(paths),
    };
  }

  /**
   * After the agent: waits until nothing of the launch runs on the host, then fetches the work back.
   * Returns the host failure when the connection was lost (during the phase or the fetch), else null.
   */
  async end(): Promise<HostUnreachableError | null> {
    await this.launcher?.settled();
    const cut = this.launcher?.connectionLost() ?? null;
    try {
      const back = await this.workspace.fetchBack(
        this.unit.chunk,
        this.lease,
        await localTip(this.deps, this.unit.chunk),
        this.local,
      );
      this.deps.log.info('work fetched back', {
        host: this.host.name,
        ms: Math.round(back.ms),
        objects: back.objects,
      });
    } catch (err) {
      if (err instanceof HostUnreachableError) return err;
      throw err;
    }
    await this.deps.store.update(
      this.unit.chunk,
      { fetch_pending: false, fetched_at: isoNow(this.deps.clock) },
      { source: 'runner' },
    );
    // the work came back, but the phase itself was cut: it resumes, as after any host failure
    return cut === null ? null : new HostUnreachableError(this.host.name, cut);
  }
}

async function localTip(deps: RemoteDeps, chunk: string): Promise<string | null> {
  return (await deps.worktrees.branchTips()).get(chunk) ?? null;
}

/**
 * The unit's host could not be reached (before, during or after its phase): the unit goes back to
 * READY with its session and retry count as they were, and the host is marked unreachable, so
 * placement holds the unit until the host monitor finds the host healthy again (a connection that
 * was up again at once costs one monitor round).
 */
export async function waitForHost(deps: RemoteDeps, chunk: string, err: HostUnreachableError): Promise<void> {
  const unit = await deps.store.get(chunk);
  if (!unit) return;
  const detail = err.detail || 'the connection was lost';
  deps.log.warn('waiting for host', { chunk, host: err.host, detail });
  await deps.hosts.store.recordCheck(err.host, { health: 'unreachable', detail });
  if (unit.status !== 'RUNNING') return;
  const opening =
    unit.session_id !== null && unit.pending_answer === null ? RESUME_AFTER_HOST_LOSS : undefined;
  await deps.store.transition(
    chunk,
    { type: 'requeue', ...(opening ? { pending_answer: opening } : {}) },
    { source: 'runner', reason: `waiting for host ${err.host}: ${detail}` },
  );
}
