/** The serial queue: order, no overlap, failures do not break the chain. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MutationQueue, queueFor } from './mutation-queue.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('MutationQueue', () => {
  it('runs tasks one at a time in submission order', async () => {
    const q = new MutationQueue();
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (id: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${id}`);
      await tick();
      await tick();
      events.push(`end ${id}`);
      running--;
      return id;
    };
    const results = await Promise.all([1, 2, 3].map((i) => q.run(task(i))));
    assert.deepEqual(results, [1, 2, 3]);
    assert.equal(maxRunning, 1);
    assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    assert.equal(q.pending, 0);
  });

  it('passes a failure to its caller and keeps running later tasks', async () => {
    const q = new MutationQueue();
    const failing = q.run(async () => {
      throw new Error('boom');
    });
    const after = q.run(async () => 'ok');
    await assert.rejects(failing, /boom/);
    assert.equal(await after, 'ok');
  });

  it('shares one queue per repository root', () => {
    assert.equal(queueFor('/some/repo'), queueFor('/some/repo'));
    assert.notEqual(queueFor('/some/repo'), queueFor('/other/repo'));
  });
});
