import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareLease, formatLease, parseLease } from './lease.js';

const lease = (epoch: number, token = 'abcdef01') => ({ epoch, token });

describe('lease', () => {
  it('round-trips through the host’s one-line file', () => {
    assert.equal(formatLease(lease(3)), '3 abcdef01\n');
    assert.deepEqual(parseLease('3 abcdef01\n'), lease(3));
    assert.equal(parseLease(''), null);
    assert.equal(parseLease('\n'), null);
  });

  it('refuses what is not a lease', () => {
    for (const bad of [lease(0), lease(-1), lease(1.5), lease(1, 'XYZ'), lease(1, 'abc')])
      assert.throws(() => formatLease(bad), /invalid lease/);
    assert.throws(() => parseLease('3 abcdef01 extra'), /unreadable lease/);
    assert.throws(() => parseLease('$(id)'), /unreadable lease/);
  });

  it('tells the same placement, an older one and a newer one apart', () => {
    assert.equal(compareLease(lease(2), lease(2)), 'same');
    assert.equal(compareLease(lease(2), null), 'older');
    assert.equal(compareLease(lease(2), lease(1, 'ffffffff')), 'older');
    assert.equal(compareLease(lease(2), lease(3, 'ffffffff')), 'newer');
    // one epoch claimed twice: neither side may trust the other
    assert.equal(compareLease(lease(2), lease(2, 'ffffffff')), 'newer');
  });
});
