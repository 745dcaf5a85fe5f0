import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderBatch } from './dependency-order.js';
import { isOrchError } from './errors.js';

describe('dependency-order', () => {
  it('sorts a batch topologically with alphabetical ties', () => {
    const order = orderBatch(
      [
        { chunk: 'c', depends_on: ['a'] },
        { chunk: 'b', depends_on: [] },
        { chunk: 'a', depends_on: null },
        { chunk: 'd', depends_on: ['c', 'b'] },
      ],
      () => false,
    );
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
  });

  it('names the cycle', () => {
    assert.throws(
      () =>
        orderBatch(
          [
            { chunk: 'a', depends_on: ['b'] },
            { chunk: 'b', depends_on: ['a'] },
          ],
          () => false,
        ),
      (e) => isOrchError(e, 'invalid_input') && /cycle detected: a -> b -> a/.test(e.message),
    );
  });

  it('rejects unknown external dependencies and accepts known ones', () => {
    assert.throws(() => orderBatch([{ chunk: 'a', depends_on: ['zz'] }], () => false), /not in this batch/);
    assert.deepEqual(
      orderBatch([{ chunk: 'a', depends_on: ['zz'] }], (c) => c === 'zz'),
      ['a'],
    );
  });
});
