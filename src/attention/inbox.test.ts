import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import { ManualClock } from '../../test/fakes/manual-clock.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { NotFoundError } from '../domain/errors.js';
import { createJsonLogger } from '../infra/json-logger.js';
import type { ChunkDoc } from '../ports/chunks.js';
import { listAttention } from './inbox.js';

describe('attention inbox', () => {
  it('shows every item; a summary it cannot read is blank, and only an unexpected failure is logged', async () => {
    const logged: Record<string, unknown>[] = [];
    const log = createJsonLogger((l) => logged.push(JSON.parse(l)));
    const read = async (chunk: string): Promise<ChunkDoc> => {
      if (chunk === 'gone') throw new NotFoundError('chunk', chunk);
      if (chunk === 'broken') throw new Error('EIO: i/o error, read');
      return { goal: '# Goal\n\n## Minor Goal\n\nShip it.\n' } as ChunkDoc;
    };
    const items = await listAttention(
      { chunks: { read }, clock: new ManualClock(), log, limits: DEFAULT_CONFIG },
      ['ok', 'gone', 'broken'].map((chunk) =>
        aWorkUnit({ chunk, status: 'NEEDS_ATTENTION', attention_kind: 'ERROR' }),
      ),
    );
    assert.deepEqual(Object.fromEntries(items.map((i) => [i.chunk, i.goal_summary])), {
      ok: 'Ship it.',
      gone: '',
      broken: '',
    });
    assert.deepEqual(
      logged.map((l) => [l.level, l.chunk]),
      [['warn', 'broken']],
    );
  });

  it('says which limit holds a BUDGET item, for the operator to raise', async () => {
    const read = async (): Promise<ChunkDoc> => ({ goal: '# Goal\n' }) as ChunkDoc;
    const parked = (chunk: string, cost_usd: number) =>
      aWorkUnit({ chunk, status: 'NEEDS_ATTENTION', attention_kind: 'BUDGET', cost_usd });
    const items = await listAttention(
      {
        chunks: { read },
        clock: new ManualClock(),
        log: createJsonLogger(() => {}),
        limits: { ...DEFAULT_CONFIG, unit_budget_usd: 5, max_budget_usd: 1 },
      },
      [
        parked('over', 5.5),
        parked('capped', 2),
        aWorkUnit({ chunk: 'err', status: 'NEEDS_ATTENTION', attention_kind: 'ERROR' }),
      ],
    );
    assert.deepEqual(Object.fromEntries(items.map((i) => [i.chunk, i.budget])), {
      over: { limit: 'unit_usd', key: 'unit_budget_usd', spent: 5.5, of: 5 },
      capped: { limit: 'phase_usd', key: 'max_budget_usd', spent: null, of: 1 },
      err: null,
    });
  });
});
