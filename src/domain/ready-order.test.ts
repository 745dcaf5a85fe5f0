import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import type { ChunkName } from './chunk-name.js';
import { attentionOrder, readyQueue, transitiveBlocksCount } from './ready-order.js';

const deps = (...xs: string[]) => xs as ChunkName[];

describe('ready-order', () => {
  it('counts transitive dependents, ignoring DONE ones', () => {
    const units = [
      aWorkUnit({ chunk: 'a' }),
      aWorkUnit({ chunk: 'b', status: 'BLOCKED', blocked_by: deps('a') }),
      aWorkUnit({ chunk: 'c', status: 'BLOCKED', blocked_by: deps('b') }),
      aWorkUnit({ chunk: 'd', status: 'DONE', blocked_by: deps('a') }),
    ];
    const counts = transitiveBlocksCount(units);
    assert.equal(counts.get('a'), 2);
    assert.equal(counts.get('b'), 1);
    assert.equal(counts.get('c'), 0);
  });

  it('orders the ready queue by impact, then priority, then age', () => {
    const units = [
      aWorkUnit({ chunk: 'old', created_at: '2026-01-01T00:00:00.000Z' }),
      aWorkUnit({ chunk: 'new', created_at: '2026-01-02T00:00:00.000Z' }),
      aWorkUnit({ chunk: 'urgent', priority: 5, created_at: '2026-01-03T00:00:00.000Z' }),
      aWorkUnit({ chunk: 'keystone', created_at: '2026-01-04T00:00:00.000Z' }),
      aWorkUnit({ chunk: 'waiting', status: 'BLOCKED', blocked_by: deps('keystone') }),
    ];
    assert.deepEqual(
      readyQueue(units).map((u) => u.chunk),
      ['keystone', 'urgent', 'old', 'new'],
    );
  });

  it('puts the attention item that unblocks the most work first, even against a deeper chain', () => {
    // q1 blocks 3 (x1 <- x2 <- x3), q2 blocks 1, q3 blocks 0 but is oldest
    const units = [
      aWorkUnit({ chunk: 'q3', status: 'NEEDS_ATTENTION', attention_at: '2026-01-01T00:00:00.000Z' }),
      aWorkUnit({ chunk: 'q2', status: 'NEEDS_ATTENTION', attention_at: '2026-01-02T00:00:00.000Z' }),
      aWorkUnit({ chunk: 'q1', status: 'NEEDS_ATTENTION', attention_at: '2026-01-03T00:00:00.000Z' }),
      aWorkUnit({ chunk: 'x1', status: 'BLOCKED', blocked_by: deps('q1') }),
      aWorkUnit({ chunk: 'x2', status: 'BLOCKED', blocked_by: deps('x1') }),
      aWorkUnit({ chunk: 'x3', status: 'BLOCKED', blocked_by: deps('x2') }),
      aWorkUnit({ chunk: 'y1', status: 'BLOCKED', blocked_by: deps('q2') }),
    ];
    const ranked = attentionOrder(units);
    assert.deepEqual(
      ranked.map((r) => [r.unit.chunk, r.blocks_count]),
      [
        ['q1', 3],
        ['q2', 1],
        ['q3', 0],
      ],
    );
  });
});
