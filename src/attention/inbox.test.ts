import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import { ManualClock } from '../../test/fakes/manual-clock.js';
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
      { chunks: { read }, clock: new ManualClock(), log },
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
});
