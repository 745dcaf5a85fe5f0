/** Fires the configured notification hook whenever a unit newly needs the operator. */

import type { OrchestratorConfig } from '../config/schema.js';
import { transitiveBlocksCount } from '../domain/ready-order.js';
import type { EventBus } from '../ports/events.js';
import type { Logger } from '../ports/logger.js';
import type { Notifier } from '../ports/notifier.js';
import type { UnitStore } from '../ports/store.js';

export function watchAttention(deps: {
  bus: EventBus;
  store: Pick<UnitStore, 'list'>;
  notifier: Notifier;
  config: () => Promise<OrchestratorConfig>;
  url: () => string | null;
  log: Logger;
}): () => void {
  return deps.bus.subscribe((event) => {
    if (event.type !== 'unit_changed') return;
    const { unit, previous } = event;
    if (unit.status !== 'NEEDS_ATTENTION' || previous?.status === 'NEEDS_ATTENTION') return;
    (async () => {
      const config = await deps.config();
      if (!config.notify_command && !config.notify_webhook) return;
      const blocks = transitiveBlocksCount(await deps.store.list({ active: true })).get(unit.chunk) ?? 0;
      await deps.notifier.notify(
        {
          chunk: unit.chunk,
          kind: unit.attention_kind ?? 'ERROR',
          phase: unit.phase,
          reason: unit.attention_reason ?? '',
          blocks_count: blocks,
          raised_at: unit.attention_at ?? unit.updated_at,
          url: deps.url(),
        },
        { command: config.notify_command, webhook: config.notify_webhook },
      );
    })().catch((error: unknown) => deps.log.warn('notification failed', { chunk: unit.chunk, error }));
  });
}
