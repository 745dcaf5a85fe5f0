/**
 * The short chaos run inside `npm test` (issue 7 §1): 6 chunks with dependencies, 3 agents, the
 * daemon SIGKILLed 4 times. The full 30/6/20 run is `npm run test:chaos`. CHAOS_SEED=<n> replays a
 * seed; the seed is printed either way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runChaos } from './chaos.js';

describe('chaos (short)', { timeout: 300_000 }, () => {
  it('ends with every invariant holding after 4 SIGKILLs of the daemon', async (t) => {
    const seed = process.env.CHAOS_SEED
      ? Number(process.env.CHAOS_SEED)
      : Math.floor(Math.random() * 2 ** 31);
    t.diagnostic(`chaos seed ${seed} (replay with CHAOS_SEED=${seed})`);
    const lines: string[] = [];
    const report = await runChaos({
      chunks: 6,
      agents: 3,
      kills: 4,
      seed,
      maxSleepMs: 200,
      killAfterWrites: [1, 8],
      timeoutMs: 240_000,
      log: (line) => lines.push(line),
    });
    for (const line of lines) t.diagnostic(line);
    const context = `seed ${seed}\n${lines.join('\n')}`;
    assert.equal(report.kills.length, 4, `all 4 kills landed while work remained\n${context}`);
    for (const [name, problems] of Object.entries(report.problems)) {
      assert.deepEqual(problems, [], `invariant broken: ${name}\n  ${problems.join('\n  ')}\n${context}`);
    }
  });
});
