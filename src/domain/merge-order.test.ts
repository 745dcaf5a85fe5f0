import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConflictAnalysis, Verdict } from './conflict.js';
import { conflictRisk, mergeOrder } from './merge-order.js';

const analysis = (
  a: string,
  b: string,
  verdict: Verdict,
  confidence: number,
  override: Verdict | null = null,
) =>
  ({
    chunk_a: a < b ? a : b,
    chunk_b: a < b ? b : a,
    verdict,
    confidence,
    override,
    stage: 'PLAN',
    reason: '',
    overlapping_files: [],
    overlapping_symbols: [],
    created_at: '2026-01-01T00:00:00.000Z',
  }) satisfies ConflictAnalysis;

describe('mergeOrder', () => {
  it('risk follows the verdict, and the operator override wins', () => {
    assert.equal(conflictRisk(analysis('a', 'b', 'SERIALIZE', 0.9)), 0.9);
    assert.equal(conflictRisk(analysis('a', 'b', 'INDEPENDENT', 0.9)), 1 - 0.9);
    assert.equal(conflictRisk(analysis('a', 'b', 'ASK_OPERATOR', 0.6)), 0.5);
    assert.equal(conflictRisk(analysis('a', 'b', 'SERIALIZE', 0.9, 'INDEPENDENT')), 0);
    assert.equal(conflictRisk(analysis('a', 'b', 'INDEPENDENT', 0.9, 'SERIALIZE')), 1);
  });

  it('merges the units least likely to conflict with the rest first', () => {
    // c conflicts with both a and b; a and b are independent of each other
    const order = mergeOrder(
      ['c', 'a', 'b'],
      [
        analysis('a', 'c', 'SERIALIZE', 0.95),
        analysis('b', 'c', 'ASK_OPERATOR', 0.5),
        analysis('a', 'b', 'INDEPENDENT', 0.95),
      ],
    );
    assert.deepEqual(order, ['b', 'a', 'c']);
  });

  it('keeps the given (ready-queue) order on ties and counts unknown pairs as a coin toss', () => {
    assert.deepEqual(mergeOrder(['z', 'y', 'x'], []), ['z', 'y', 'x']);
    assert.deepEqual(mergeOrder(['z', 'y', 'x'], [analysis('y', 'x', 'INDEPENDENT', 1)]), ['y', 'x', 'z']);
    assert.deepEqual(mergeOrder(['solo'], []), ['solo']);
  });
});
