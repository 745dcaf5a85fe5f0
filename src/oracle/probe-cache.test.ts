/** LiveProbeCache: which pairs a check probes given the tips now and the results of the last check. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LiveProbe } from '../ports/worktrees.js';
import { LiveProbeCache, type ProbePlan } from './probe-cache.js';

const CLEAN: LiveProbe = { clean: true, conflicting_files: [] };
const conflict = (...files: string[]): LiveProbe => ({ clean: false, conflicting_files: files });

/** every sorted pair of `chunks` */
function pairsOf(chunks: string[]): [string, string][] {
  const out: [string, string][] = [];
  const sorted = [...chunks].sort();
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length; j++) out.push([sorted[i] as string, sorted[j] as string]);
  return out;
}

const tipsOf = (entries: Record<string, string>) => new Map(Object.entries(entries));
const jobPairs = (plan: ProbePlan) => plan.jobs.map((j) => j.pair.join('+'));

/** Plans, answers every job with `answer` (a throw leaves the job out), and settles: one check. */
function check(
  cache: LiveProbeCache,
  chunks: string[],
  tips: Map<string, string>,
  answer: (pair: [string, string]) => LiveProbe = () => CLEAN,
) {
  const plan = cache.plan(pairsOf(chunks), tips);
  const results = plan.jobs.map((job) => {
    try {
      return answer(job.pair);
    } catch {
      return null; // a failed probe (probePairs logs it)
    }
  });
  return { probed: jobPairs(plan), answers: cache.settle(plan, results) };
}

describe('LiveProbeCache', () => {
  const chunks = ['a', 'b', 'c', 'd'];
  const tips = tipsOf({ a: 'a1', b: 'b1', c: 'c1', d: 'd1' });

  it('probes every pair first, then none while the tips stay, then only the moved branch’s k−1 pairs', () => {
    const cache = new LiveProbeCache();
    assert.equal(check(cache, chunks, tips).probed.length, 6);
    assert.deepEqual(check(cache, chunks, tips).probed, []);
    const moved = tipsOf({ a: 'a1', b: 'b2', c: 'c1', d: 'd1' });
    assert.deepEqual(check(cache, chunks, moved).probed, ['a+b', 'b+c', 'b+d']);
    assert.deepEqual(check(cache, chunks, moved).probed, []);
  });

  it('answers unchanged pairs from the cache, with what the probe said, in pair order', () => {
    const cache = new LiveProbeCache();
    const answer = (p: [string, string]) => (p.join() === 'b,c' ? conflict('src/x.ts') : CLEAN);
    const first = check(cache, chunks, tips, answer).answers;
    const again = check(cache, chunks, tips, () => {
      throw new Error('must not probe');
    }).answers;
    assert.deepEqual(again, first);
    assert.deepEqual(
      again.map((p) => [p.pair.join('+'), p.probe.clean]),
      [
        ['a+b', true],
        ['a+c', true],
        ['a+d', true],
        ['b+c', false],
        ['b+d', true],
        ['c+d', true],
      ],
    );
  });

  it('probes a pair of tips once even when several chunk pairs share it, in either order', () => {
    const cache = new LiveProbeCache();
    // b and c point at the same commit (no commits of their own yet); a is ahead
    const plan = cache.plan(pairsOf(['a', 'b', 'c']), tipsOf({ a: 'a1', b: 'base', c: 'base' }));
    assert.deepEqual(jobPairs(plan), ['a+b']);
    assert.deepEqual(plan.jobs[0]?.commits, ['a1', 'base']);
    const answers = cache.settle(plan, [conflict('f')]);
    assert.deepEqual(
      answers.map((p) => [p.pair.join('+'), p.probe.clean]),
      [
        ['a+b', false],
        ['a+c', false],
        ['b+c', true],
      ],
    );
    // the same two commits the other way round: the same merge, no probe
    const swapped = check(cache, ['a', 'b'], tipsOf({ a: 'base', b: 'a1' }));
    assert.deepEqual(swapped.probed, []);
    assert.deepEqual(swapped.answers[0]?.probe, conflict('f'));
  });

  it('answers clean without a probe when a branch is missing or both are on one commit', () => {
    const cache = new LiveProbeCache();
    const r = check(cache, ['a', 'b', 'c'], tipsOf({ a: 'x', b: 'x' }));
    assert.deepEqual(r.probed, []);
    assert.deepEqual(
      r.answers.map((p) => [p.pair.join('+'), p.probe]),
      [
        ['a+b', CLEAN],
        ['a+c', CLEAN],
        ['b+c', CLEAN],
      ],
    );
    assert.equal(cache.size, 0);
  });

  it('leaves out a failed probe and retries it next time', () => {
    const cache = new LiveProbeCache();
    const failAB = (p: [string, string]) => {
      if (p.join() === 'a,b') throw new Error('git failed');
      return CLEAN;
    };
    const first = check(cache, ['a', 'b', 'c'], tips, failAB);
    assert.deepEqual(
      first.answers.map((p) => p.pair.join('+')),
      ['a+c', 'b+c'],
    );
    assert.deepEqual(check(cache, ['a', 'b', 'c'], tips).probed, ['a+b']);
  });

  it('keeps only the tip pairs of the last check: moved tips and departed units are forgotten', () => {
    const cache = new LiveProbeCache();
    check(cache, chunks, tips);
    assert.equal(cache.size, 6);
    check(cache, chunks, tipsOf({ a: 'a2', b: 'b1', c: 'c1', d: 'd1' }));
    assert.equal(cache.size, 6, 'the three pairs with a1 are gone, the three with a2 came in');
    check(cache, ['b', 'c'], tips);
    assert.equal(cache.size, 1);
    // a's old tip comes back (say, a reset): it was forgotten, so it is probed again
    assert.deepEqual(check(cache, chunks, tips).probed, ['a+b', 'a+c', 'a+d', 'b+d', 'c+d']);
    check(cache, [], tips);
    assert.equal(cache.size, 0);
  });

  it('stays at one check’s pairs over many checks with moving tips (flat memory)', () => {
    const cache = new LiveProbeCache();
    const many = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const now = new Map(many.map((c) => [c, `${c}@0`]));
    let probes = 0;
    for (let round = 0; round < 50; round++) {
      // from the second check on, one unit's phase end committed: its tip moves
      if (round > 0) now.set(`u${round % 20}`, `u${round % 20}@${round}`);
      probes += check(cache, many, now).probed.length;
      assert.ok(cache.size <= (20 * 19) / 2);
    }
    // the first check probes all 190 pairs, every later one only the moved unit's 19
    assert.equal(probes, 190 + 49 * 19);
  });
  it('300 units parked in code phases: all 44,850 pairs once, then 299 after a commit, 0 without one', () => {
    const cache = new LiveProbeCache();
    const units = Array.from({ length: 300 }, (_, i) => `u${i}`);
    const now = new Map(units.map((c) => [c, `${c}@0`]));
    assert.equal(check(cache, units, now).probed.length, 44_850);
    now.set('u7', 'u7@1'); // an IMPLEMENT end that committed
    assert.equal(check(cache, units, now).probed.length, 299);
    assert.equal(check(cache, units, now).probed.length, 0); // a REVIEW end that did not
    assert.equal(cache.size, 44_850);
  });
});
