/**
 * WebSocket fan-out. One bus subscription turns committed changes into messages once, and every open
 * dashboard socket receives them; attention rankings and the status counts are recomputed once per
 * burst of changes. The snapshot carries the unfinished units and only the newest finished ones.
 */
import type { WorkUnit } from '../domain/work-unit.js';
import type { ChangeEvent } from '../ports/events.js';
import type { WsMessage } from './dto.js';
import type { ApiServices } from './services.js';

type Send = (text: string) => void;

/**
 * The newest DONE units the snapshot carries: a long-lived project keeps thousands, and the page asks
 * for older ones a page at a time (GET /api/work-units?status=DONE&order=recent&after=…).
 */
export const SNAPSHOT_DONE_UNITS = 100;

/** what is read again after a burst of changes and sent as one message */
type Refresh = 'attention' | 'status' | 'hosts';

export class Broadcaster {
  private readonly sockets = new Set<Send>();
  private readonly dirty = new Set<Refresh>();
  /** the last read of each kind, which the next one waits for */
  private readonly reads: Record<Refresh, Promise<void>> = {
    attention: Promise.resolve(),
    status: Promise.resolve(),
    hosts: Promise.resolve(),
  };
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly services: ApiServices) {}

  start(): void {
    this.unsubscribe = this.services.subscribe((e) => this.onChange(e));
  }

  stop(): void {
    this.unsubscribe?.();
    this.sockets.clear();
  }

  get size(): number {
    return this.sockets.size;
  }

  async snapshot(): Promise<WsMessage> {
    const [active, done, attention, config, status, train, hosts] = await Promise.all([
      this.services.listUnits({ active: true }),
      this.services.listUnits({ status: 'DONE', order: 'recent', limit: SNAPSHOT_DONE_UNITS }),
      this.services.attention(),
      this.services.getConfig(),
      this.services.status(),
      this.services.train(),
      this.services.hosts(),
    ]);
    return {
      type: 'snapshot',
      data: {
        work_units: [...active.work_units, ...done.work_units],
        done_next_after: done.next_after,
        attention,
        config,
        status,
        train,
        hosts,
      },
    };
  }

  add(send: Send): () => void {
    this.sockets.add(send);
    return () => this.sockets.delete(send);
  }

  private broadcast(message: WsMessage): void {
    const text = JSON.stringify(message);
    for (const send of this.sockets) {
      try {
        send(text);
      } catch (error) {
        // a socket that cannot take a message is closed by its own error handler; stop feeding it
        this.sockets.delete(send);
        this.services.log.warn('dashboard socket refused a message; dropped', { error });
      }
    }
  }

  private onChange(event: ChangeEvent): void {
    if (this.sockets.size === 0) return;
    switch (event.type) {
      case 'unit_changed':
        this.broadcast({ type: 'unit', data: event.unit });
        if (affectsAttention(event.unit, event.previous)) this.refresh('attention');
        if (affectsStatus(event.unit, event.previous)) this.refresh('status');
        // a host's slots in use follow its units' phases
        if (
          event.unit.host !== null &&
          (event.unit.host !== event.previous?.host || event.unit.status !== event.previous?.status)
        )
          this.refresh('hosts');
        return;
      case 'unit_deleted':
        this.broadcast({ type: 'unit_deleted', data: { chunk: event.chunk } });
        this.refresh('attention');
        this.refresh('status');
        return;
      case 'config_changed':
        this.broadcast({ type: 'config', data: event.config });
        this.refresh('status'); // the limits and what they hold
        return;
      case 'conflict_changed':
        this.broadcast({ type: 'conflict', data: event.analysis });
        return;
      case 'train_changed':
        this.broadcast({ type: 'train', data: event.train });
        return;
      case 'conflicts_invalidated':
        this.broadcast({ type: 'conflicts_invalidated', data: { chunk: event.chunk, pairs: event.pairs } });
        return;
      case 'host_changed':
      case 'host_forgotten':
        this.refresh('hosts');
        return;
      case 'phase_log':
        return;
    }
  }

  /**
   * Reads `what` again after the current burst and sends it. One read at a time per kind, each after
   * the one before: two reads in flight could finish out of order, and an older answer would then
   * overwrite a newer one on every page.
   */
  private refresh(what: Refresh): void {
    if (this.dirty.has(what)) return; // a read not started yet will see this change too
    this.dirty.add(what);
    this.reads[what] = this.reads[what]
      .then(() => new Promise<void>((next) => setImmediate(next)))
      .then(async () => {
        this.dirty.delete(what);
        try {
          this.broadcast(await this.read(what));
        } catch (error) {
          this.services.log.error(`${what} refresh failed`, { error });
        }
      });
  }

  private async read(what: Refresh): Promise<WsMessage> {
    switch (what) {
      case 'attention':
        return { type: 'attention', data: { items: await this.services.attention() } };
      case 'hosts':
        return { type: 'hosts', data: { hosts: await this.services.hosts() } };
      case 'status':
        return { type: 'status', data: await this.services.status() };
    }
  }
}

/**
 * Pages hold only some DONE units, so they count DONE from the server's status; spend moves the
 * project's budget window, and a retry time may be a usage limit's reset.
 */
function affectsStatus(unit: WorkUnit, previous: WorkUnit | null): boolean {
  return (
    (unit.status === 'DONE') !== (previous?.status === 'DONE') ||
    unit.cost_usd !== previous?.cost_usd ||
    unit.next_retry_at !== previous?.next_retry_at ||
    unit.status !== previous?.status
  );
}

function affectsAttention(unit: WorkUnit, previous: WorkUnit | null): boolean {
  if (unit.status === 'NEEDS_ATTENTION' || previous?.status === 'NEEDS_ATTENTION') return true;
  return (
    previous === null ||
    previous.blocked_by.join() !== unit.blocked_by.join() ||
    previous.status !== unit.status
  );
}
