import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConflictAnalysis } from '../domain/conflict.js';
import { silentLogger } from '../infra/json-logger.js';
import { MergeQueue } from './merge-queue.js';

const analysis = (
  a: string,
  b: string,
  verdict: ConflictAnalysis['verdict'],
  confidence: number,
): ConflictAnalysis => ({
  chunk_a: a,
  chunk_b: b,
  verdict,
  confidence,
  stage: 'PLAN',
  reason: '',
  overlapping_files: [],
  overlapping_symbols: [],
  override: null,
  created_at: '2026-01-01T00:00:00.000Z',
});

describe('merge queue', () => {
  it('runs merges one at a time, least conflict-prone first among those waiting', async () => {
    const analyses = [
      analysis('risky', 'other', 'SERIALIZE', 0.95),
      analysis('calm', 'risky', 'INDEPENDENT', 0.9),
      analysis('calm', 'other', 'INDEPENDENT', 0.9),
    ];
    const queue = new MergeQueue({ listConflicts: async () => analyses }, silentLogger);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let running = 0;
    let maxRunning = 0;
    const merge = (name: string) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      if (name === 'first') await gate;
      running -= 1;
      return name;
    };
    const results = [
      queue.submit('first', merge('first')),
      queue.submit('risky', merge('risky')),
      queue.submit('other', merge('other')),
      queue.submit('calm', merge('calm')),
    ];
    release();
    assert.deepEqual(await Promise.all(results), ['first', 'risky', 'other', 'calm']);
    assert.equal(maxRunning, 1);
    // calm carries the least risk against the others; risky and other then tie and keep their order
    assert.deepEqual(queue.history, ['first', 'calm', 'risky', 'other']);
  });

  it('keeps going after a failed merge', async () => {
    const queue = new MergeQueue({ listConflicts: async () => [] }, silentLogger);
    const failed = queue.submit('a', async () => {
      throw new Error('boom');
    });
    await assert.rejects(failed, /boom/);
    assert.equal(await queue.submit('b', async () => 'ok'), 'ok');
  });
});
