/**
 * WebSocket fan-out. One bus subscription turns committed changes into messages once, and every open
 * dashboard socket receives them; attention rankings are recomputed once per burst of changes.
 */
import type { WorkUnit } from '../domain/work-unit.js';
import type { ChangeEvent } from '../ports/events.js';
import type { WsMessage } from './dto.js';
import type { ApiServices } from './services.js';

type Send = (text: string) => void;

export class Broadcaster {
  private readonly sockets = new Set<Send>();
  private attentionDirty = false;
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
    const [work_units, attention, config, status] = await Promise.all([
      this.services.listUnits().then((page) => page.work_units),
      this.services.attention(),
      this.services.getConfig(),
      this.services.status(),
    ]);
    return { type: 'snapshot', data: { work_units, attention, config, status } };
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
      } catch {
        // a socket that cannot take a message is closed by its own error handler
        this.sockets.delete(send);
      }
    }
  }

  private onChange(event: ChangeEvent): void {
    if (this.sockets.size === 0) return;
    switch (event.type) {
      case 'unit_changed':
        this.broadcast({ type: 'unit', data: event.unit });
        if (affectsAttention(event.unit, event.previous)) this.refreshAttention();
        return;
      case 'unit_deleted':
        this.broadcast({ type: 'unit_deleted', data: { chunk: event.chunk } });
        this.refreshAttention();
        return;
      case 'config_changed':
        this.broadcast({ type: 'config', data: event.config });
        return;
      case 'conflict_changed':
        this.broadcast({ type: 'conflict', data: event.analysis });
        return;
      case 'phase_log':
        return;
    }
  }

  private refreshAttention(): void {
    if (this.attentionDirty) return;
    this.attentionDirty = true;
    setImmediate(() => {
      this.attentionDirty = false;
      this.services
        .attention()
        .then((items) => this.broadcast({ type: 'attention', data: { items } }))
        .catch((error: unknown) => this.services.log.error('attention refresh failed', { error }));
    });
  }
}

function affectsAttention(unit: WorkUnit, previous: WorkUnit | null): boolean {
  if (unit.status === 'NEEDS_ATTENTION' || previous?.status === 'NEEDS_ATTENTION') return true;
  return (
    previous === null ||
    previous.blocked_by.join() !== unit.blocked_by.join() ||
    previous.status !== unit.status
  );
}
