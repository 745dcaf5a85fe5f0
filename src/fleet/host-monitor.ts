/**
 * Keeps each host's health true (docs/hosts.md, "Failures"): a healthy host is pinged now and then
 * (one multiplexed round trip); a host that is unreachable, unfit or not checked yet gets a full
 * check often, so that the units waiting for it go on soon after it is back; a removed host is
 * swept (its stale copies stopped and deleted) and forgotten once it answers. A change of health is
 * published, which wakes the scheduler. The runner marks a host unreachable the moment it loses it.
 */
import { type Host, HostHealth, healthOf, LOCAL_HOST } from '../domain/host.js';
import type { Clock } from '../ports/clock.js';
import type { ChangeEvent, EventBus } from '../ports/events.js';
import type { HostConnections, HostStore } from '../ports/hosts.js';
import type { Logger } from '../ports/logger.js';
import type { UnitStore } from '../ports/store.js';
import { sweepRemoved } from './host-commands.js';

export interface HostMonitorOptions {
  /** ms between pings of a healthy host */
  healthyEveryMs: number;
  /** ms between checks of a host that is not healthy (and between sweep attempts of a removed one) */
  downEveryMs: number;
}

export const DEFAULT_MONITOR: HostMonitorOptions = { healthyEveryMs: 30_000, downEveryMs: 5_000 };

export class HostMonitor {
  private cancel: (() => void) | null = null;
  private readonly lastProbe = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private stopped = false;
  private unsubscribe: (() => void) | null = null;
  private readonly cleanups = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      hosts: HostStore;
      connections: HostConnections;
      clock: Clock;
      log: Logger;
      bus: EventBus;
      store: Pick<UnitStore, 'list'>;
    },
    private readonly opts: HostMonitorOptions = DEFAULT_MONITOR,
  ) {}

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.deps.bus.subscribe((e) => this.onChange(e));
    this.schedule(this.deps.clock.now());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.cancel?.();
    await Promise.all([...this.inFlight.values(), ...this.cleanups]);
  }

  /**
   * A unit that reached DONE on a host (its work is on base by then), or was deleted, has its copy
   * there stopped and removed; a host that cannot be reached keeps it until the host is removed and
   * swept. The lease fences it: a copy the unit has since been placed anew in is left alone.
   */
  private onChange(e: ChangeEvent): void {
    const gone =
      e.type === 'unit_deleted'
        ? e.unit
        : e.type === 'unit_changed' && e.unit.status === 'DONE' && e.previous?.status !== 'DONE'
          ? e.unit
          : null;
    if (!gone) return;
    const { chunk, host: name, host_epoch: epoch, host_token: token } = gone;
    if (name === null || name === LOCAL_HOST || token === null) return;
    const done = (async () => {
      const host = await this.deps.hosts.get(name);
      if (!host || host.state === 'removed') return;
      await this.deps.connections.workspace(host).removeUnit(chunk, { epoch, token });
    })()
      .catch((error: unknown) =>
        this.deps.log.warn('copy of a finished or deleted unit left on its host', {
          chunk,
          host: name,
          error,
        }),
      )
      .finally(() => this.cleanups.delete(done));
    this.cleanups.add(done);
  }

  /**
   * Starts a probe of every host that is due (a slow host does not hold up the others or the next
   * round); resolves when those probes are done. Public so tests can drive it without timers.
   */
  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    const due = (await this.deps.hosts.list()).filter(
      (h) => h.name !== LOCAL_HOST && !this.inFlight.has(h.name) && now >= this.dueAt(h),
    );
    await Promise.all(
      due.map((h) => {
        const p = this.probe(h).finally(() => this.inFlight.delete(h.name));
        this.inFlight.set(h.name, p);
        return p;
      }),
    );
  }

  private dueAt(host: Host): number {
    const last = this.lastProbe.get(host.name);
    if (last === undefined) return 0;
    const healthy = host.state !== 'removed' && host.health === HostHealth.ok;
    return last + (healthy ? this.opts.healthyEveryMs : this.opts.downEveryMs);
  }

  private async probe(host: Host): Promise<void> {
    this.lastProbe.set(host.name, this.deps.clock.now());
    try {
      if (host.state === 'removed') {
        await sweepRemoved(this.deps, host);
        return;
      }
      if (host.health === HostHealth.ok) {
        const down = await this.deps.connections.ping(host);
        if (down === null) return;
        this.deps.log.warn('host unreachable', { host: host.name, detail: down });
        await this.deps.hosts.recordCheck(host.name, { health: HostHealth.unreachable, detail: down });
        return;
      }
      const found = await this.deps.connections.check(host);
      const { health, detail } = healthOf(found.unreachable, found.tools);
      if (health !== host.health) this.deps.log.info('host health', { host: host.name, health, detail });
      await this.deps.hosts.recordCheck(host.name, {
        health,
        detail,
        ...(found.tools ? { tools: found.tools } : {}),
      });
    } catch (error) {
      this.deps.log.error('host check failed', { host: host.name, error });
    }
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.cancel = this.deps.clock.at(at, () => {
      this.tick().catch((error: unknown) => this.deps.log.error('host monitor round failed', { error }));
      this.schedule(this.deps.clock.now() + Math.min(this.opts.downEveryMs, this.opts.healthyEveryMs));
    });
  }
}
