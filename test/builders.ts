/** Test data builders and a harness with the real SqliteStore on :memory:. */
import type { ChunkName } from '../src/domain/chunk-name.js';
import { newWorkUnit, type WorkUnit } from '../src/domain/work-unit.js';
import { InProcessEventBus } from '../src/infra/event-bus.js';
import { silentLogger } from '../src/infra/json-logger.js';
import type { ChangeEvent } from '../src/ports/events.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { ManualClock } from './fakes/manual-clock.js';

export function aWorkUnit(
  fields: Omit<Partial<WorkUnit>, 'chunk' | 'blocked_by'> & { chunk: string; blocked_by?: string[] },
): WorkUnit {
  const base = newWorkUnit({
    chunk: fields.chunk as ChunkName,
    phase: fields.phase ?? 'PLAN',
    status: fields.status ?? 'READY',
    now: fields.created_at ?? '2026-01-01T00:00:00.000Z',
  });
  return { ...base, ...fields, chunk: fields.chunk as ChunkName } as WorkUnit;
}

export function makeStoreHarness(path = ':memory:') {
  const clock = new ManualClock();
  const bus = new InProcessEventBus((e) => {
    throw e;
  });
  const events: ChangeEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const store = new SqliteStore({ path, bus, clock, log: silentLogger });
  return { clock, bus, events, store };
}
