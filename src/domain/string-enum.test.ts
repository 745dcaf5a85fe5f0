import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringEnum } from './string-enum.js';

describe('stringEnum', () => {
  it('maps each value to itself, in the given order, and cannot be changed', () => {
    const Colour = stringEnum(['RED', 'GREEN'] as const);
    assert.deepEqual(Object.entries(Colour), [
      ['RED', 'RED'],
      ['GREEN', 'GREEN'],
    ]);
    assert.ok(Object.isFrozen(Colour));
  });
});
