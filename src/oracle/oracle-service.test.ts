import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { makeOracleHarness } from '../../test/support/oracle-harness.js';
import { OrchError } from '../domain/errors.js';

type Harness = ReturnType<typeof makeOracleHarness>;

describe('OracleService.analyze', () => {
  let h: Harness;
  beforeEach(() => {
    h = makeOracleHarness();
  });
  afterEach(() => h.close());

  it("reads a chunk from its unit's worktree, not the host copy (reference §9.1 bug)", async () => {
    h.chunk('alpha', ['src/cache.ts#Cache::get']);
    h.chunk('beta', null); // host: still the template plan
    const wt = h.worktreeDir('beta');
    h.chunk('beta', ['src/cache.ts#Cache::get'], wt); // the plan the agent just wrote
    await h.unit({ chunk: 'alpha', phase: 'PLAN', status: 'READY' });
    await h.unit({ chunk: 'beta', worktree: wt });
    const a = await h.oracle.analyze('beta', 'alpha');
    assert.deepEqual([a.chunk_a, a.chunk_b, a.verdict, a.stage], ['alpha', 'beta', 'SERIALIZE', 'PLAN']);
    assert.deepEqual(a.overlapping_symbols, ['src/cache.ts#Cache::get']);
    assert.deepEqual(h.probe.calls, [], 'no LIVE probe unless both units have branches');
  });

  it('falls back to the host copy when the worktree lacks the chunk, and logs it', async () => {
    h.chunk('alpha', ['src/a.ts#A']);
    h.chunk('beta', ['src/b.ts#B']);
    await h.unit({ chunk: 'beta', worktree: h.worktreeDir('beta') });
    const a = await h.oracle.analyze('alpha', 'beta');
    assert.equal(a.verdict, 'INDEPENDENT');
    assert.ok(h.logs.some((l) => l.level === 'warn' && l.chunk === 'beta' && /host copy/.test(l.msg)));
  });

  it('persists the analysis and keeps an operator override across re-analysis', async () => {
    h.chunk('alpha', ['src/shared.ts']);
    h.chunk('beta', ['src/shared.ts']);
    const first = await h.oracle.analyze('alpha', 'beta');
    assert.equal(first.verdict, 'ASK_OPERATOR');
    assert.deepEqual(await h.store.getConflict('beta', 'alpha'), first);
    await h.store.setConflictOverride('alpha', 'beta', 'INDEPENDENT');
    const again = await h.oracle.analyze('alpha', 'beta');
    assert.deepEqual([again.verdict, again.override], ['ASK_OPERATOR', 'INDEPENDENT']);
  });

  it('analyzePairs reads each chunk once and reports pairs it cannot analyze', async () => {
    for (const c of ['a', 'b', 'c']) h.chunk(c, [`src/${c}.ts#X`]);
    const r = await h.oracle.analyzePairs([
      ['a', 'b'],
      ['a', 'c'],
      ['c', 'b'],
      ['a', 'gone'],
    ]);
    assert.deepEqual(
      r.analyses.map((x) => [x.chunk_a, x.chunk_b, x.verdict]),
      [
        ['a', 'b', 'INDEPENDENT'],
        ['a', 'c', 'INDEPENDENT'],
        ['b', 'c', 'INDEPENDENT'],
      ],
    );
    assert.deepEqual(
      r.failed.map((f) => f.pair),
      [['a', 'gone']],
    );
    assert.match(r.failed[0]?.error ?? '', /not found/);
    assert.deepEqual([...h.reads].sort(), ['a', 'b', 'c', 'gone']);
    assert.equal((await h.store.listConflicts()).length, 3);
  });

  it('refuses a chunk against itself and bad names', async () => {
    await assert.rejects(
      h.oracle.analyze('alpha', 'alpha'),
      (e) => e instanceof OrchError && e.code === 'invalid_input',
    );
    await assert.rejects(
      h.oracle.analyze('../x', 'alpha'),
      (e) => e instanceof OrchError && e.code === 'invalid_name',
    );
  });

  it('a LIVE conflict between both branches dominates the documents', async () => {
    h.chunk('alpha', ['src/a.ts#A']);
    h.chunk('beta', ['src/b.ts#B']);
    await h.unit({ chunk: 'alpha', worktree: h.root });
    await h.unit({ chunk: 'beta', worktree: h.root });
    h.probe.set('alpha', 'beta', { clean: false, conflicting_files: ['src/index.ts'] });
    const a = await h.oracle.analyze('alpha', 'beta');
    assert.deepEqual(
      [a.verdict, a.confidence, a.stage, a.overlapping_files],
      ['SERIALIZE', 1, 'LIVE', ['src/index.ts']],
    );
    assert.deepEqual(h.probe.calls, ['alpha+beta']);
  });

  it('a clean probe after implementation lowers an undecided score to INDEPENDENT', async () => {
    h.chunk('alpha', ['src/shared.ts']);
    h.chunk('beta', ['src/shared.ts']);
    await h.unit({ chunk: 'alpha', phase: 'REVIEW', worktree: h.root });
    await h.unit({ chunk: 'beta', phase: 'COMPLETE', worktree: h.root });
    const a = await h.oracle.analyze('alpha', 'beta');
    assert.deepEqual([a.verdict, a.stage], ['INDEPENDENT', 'LIVE']);
    assert.match(a.reason, /merge cleanly \(implementation finished\)/);
  });

  it('a failing probe leaves the document verdict and says so', async () => {
    h.chunk('alpha', ['src/shared.ts']);
    h.chunk('beta', ['src/shared.ts']);
    await h.unit({ chunk: 'alpha', worktree: h.root });
    await h.unit({ chunk: 'beta', worktree: h.root });
    h.probe.set('alpha', 'beta', new Error('git exploded'));
    const a = await h.oracle.analyze('alpha', 'beta');
    assert.deepEqual([a.verdict, a.stage], ['ASK_OPERATOR', 'PLAN']);
    assert.match(a.reason, /live probe failed: git exploded/);
    assert.ok(h.logs.some((l) => l.level === 'warn' && l.msg.startsWith('live probe failed')));
  });
});

describe('OracleService.gate', () => {
  let h: Harness;
  beforeEach(() => {
    h = makeOracleHarness();
  });
  afterEach(() => h.close());

  const setup = async (h: Harness) => {
    h.chunk('unit', ['src/store.ts#Store::write', 'src/api.ts#route']);
    h.chunk('same', ['src/store.ts#Store::write']); // same symbol → SERIALIZE
    h.chunk('file', ['src/api.ts']); // whole file → ASK
    h.chunk('other', ['src/ui.ts#Grid']); // nothing shared → INDEPENDENT
    const unit = await h.unit({ chunk: 'unit', status: 'READY' });
    const [same, file, other] = await Promise.all(
      ['same', 'file', 'other'].map((chunk) => h.unit({ chunk })),
    );
    return { unit, same: same!, file: file!, other: other! };
  };

  it('INDEPENDENT allows, SERIALIZE waits, ASK asks; itself in the busy list is ignored', async () => {
    const u = await setup(h);
    assert.deepEqual(await h.oracle.gate(u.unit, [u.other, u.unit]), { kind: 'allow' });
    const wait = await h.oracle.gate(u.unit, [u.same]);
    assert.equal(wait.kind, 'wait');
    assert.ok(wait.kind === 'wait' && wait.behind.join() === 'same' && /same symbol/.test(wait.reason));
    const ask = await h.oracle.gate(u.unit, [u.file]);
    assert.ok(ask.kind === 'ask' && ask.other === 'file' && ask.analysis.verdict === 'ASK_OPERATOR');
  });

  it('waiting wins over asking, so the operator is not asked while the unit must wait anyway', async () => {
    const u = await setup(h);
    const r = await h.oracle.gate(u.unit, [u.file, u.other, u.same]);
    assert.ok(r.kind === 'wait' && r.behind.join() === 'same', JSON.stringify(r));
  });

  it("the operator's resolution ends the asking: parallelize allows, serialize waits", async () => {
    const u = await setup(h);
    await h.store.setConflictOverride('unit', 'file', 'INDEPENDENT');
    assert.deepEqual(await h.oracle.gate(u.unit, [u.file]), { kind: 'allow' });
    await h.store.setConflictOverride('unit', 'file', 'SERIALIZE');
    const r = await h.oracle.gate(u.unit, [u.file]);
    assert.ok(r.kind === 'wait' && /operator chose to serialize/.test(r.reason));
    await h.store.setConflictOverride('unit', 'file', 'ASK_OPERATOR');
    const undecided = await h.oracle.gate(u.unit, [u.file]);
    assert.ok(undecided.kind === 'wait' && /operator marked the pair undecided/.test(undecided.reason));
  });

  it('explicit dependencies bypass the oracle: wait only on busy units in blocked_by', async () => {
    const u = await setup(h);
    const declared = { ...u.unit, explicit_deps: true, blocked_by: ['other'] } as typeof u.unit;
    const r = await h.oracle.gate(declared, [u.same, u.other]);
    assert.ok(r.kind === 'wait' && r.behind.join() === 'other', JSON.stringify(r));
    assert.deepEqual(await h.oracle.gate(declared, [u.same, u.file]), { kind: 'allow' });
    assert.equal(await h.store.getConflict('unit', 'same'), undefined, 'no analysis was run');
  });

  it('does not ask about a pair it has no evidence on, even while both branches merge cleanly', async () => {
    const u = await setup(h);
    h.chunk('blank', null, h.root, { goal: '' }); // a template-only goal and no plan yet
    const blank = await h.unit({ chunk: 'blank', worktree: h.root });
    const busy = await h.unit({ chunk: 'busy', worktree: h.root });
    h.chunk('busy', ['src/api.ts']);
    assert.deepEqual(await h.oracle.gate(u.unit, [blank]), { kind: 'allow' });
    assert.deepEqual(await h.oracle.gate(busy, [blank]), { kind: 'allow' }, 'LIVE, clean, in progress');
    const stored = await h.store.getConflict('busy', 'blank');
    assert.deepEqual([stored?.verdict, stored?.stage], ['INDEPENDENT', 'LIVE']);
    assert.doesNotMatch(stored?.reason ?? '', /ASK_OPERATOR/);
  });

  it('a pair that cannot be analyzed asks the operator instead of crashing the pass', async () => {
    const u = await setup(h);
    const ghost = await h.unit({ chunk: 'ghost' }); // a unit whose chunk docs are gone
    const r = await h.oracle.gate(u.unit, [ghost, u.other]);
    assert.ok(
      r.kind === 'ask' &&
        r.other === 'ghost' &&
        /could not analyze.*ghost.*not found/.test(r.analysis.reason),
    );
    assert.equal(await h.store.getConflict('unit', 'ghost'), undefined, 'a failure is not cached');
    assert.ok(h.logs.some((l) => l.level === 'warn' && l.chunk === 'unit' && l.other === 'ghost'));
  });

  it('uses the cached verdict until it is invalidated (a phase advance), then recomputes', async () => {
    const u = await setup(h);
    assert.equal((await h.oracle.gate(u.unit, [u.same])).kind, 'wait');
    h.chunk('same', ['src/elsewhere.ts#Other']); // the plan changed; the cache does not know yet
    assert.equal((await h.oracle.gate(u.unit, [u.same])).kind, 'wait');
    await h.store.invalidateConflicts('same');
    assert.deepEqual(await h.oracle.gate(u.unit, [u.same]), { kind: 'allow' });
    assert.equal((await h.store.getConflict('unit', 'same'))?.verdict, 'INDEPENDENT');
  });

  it('reads the threshold on every analysis (config changes apply without a restart)', async () => {
    const u = await setup(h);
    assert.equal((await h.oracle.gate(u.unit, [u.file])).kind, 'ask');
    h.config.oracle_decide_threshold = 0.5;
    await h.store.invalidateConflicts('file');
    assert.equal((await h.oracle.gate(u.unit, [u.file])).kind, 'wait');
  });

  it('with skipDocPhases, GOAL/PLAN phases (which write only their own docs) are not gated', async () => {
    const s = makeOracleHarness({ skipDocPhases: true });
    try {
      const u = await setup(s);
      assert.deepEqual(await s.oracle.gate({ ...u.unit, phase: 'PLAN' }, [u.same]), { kind: 'allow' });
      assert.deepEqual(await s.oracle.gate(u.unit, [{ ...u.same, phase: 'PLAN' }]), { kind: 'allow' });
      assert.equal((await s.oracle.gate(u.unit, [u.same])).kind, 'wait');
    } finally {
      s.close();
    }
  });
});

describe('OracleService.probeImplementing', () => {
  let h: Harness;
  beforeEach(() => {
    h = makeOracleHarness();
  });
  afterEach(() => h.close());

  it('probes code-phase units with branches, persists real conflicts as LIVE, and clears them when gone', async () => {
    for (const c of ['a', 'b', 'c', 'd', 'e']) h.chunk(c, [`src/${c}.ts#X`]);
    const units = [
      await h.unit({ chunk: 'a', phase: 'IMPLEMENT', worktree: h.root }),
      await h.unit({ chunk: 'b', phase: 'REVIEW', status: 'NEEDS_ATTENTION', worktree: h.root }),
      await h.unit({ chunk: 'c', phase: 'REBASE', worktree: h.root }),
      await h.unit({ chunk: 'd', phase: 'PLAN', worktree: h.root }),
      await h.unit({ chunk: 'e', phase: 'IMPLEMENT', worktree: null }),
    ];
    h.probe.set('b', 'a', { clean: false, conflicting_files: ['src/z.ts', 'src/y.ts'] });
    const found = await h.oracle.probeImplementing(units);
    assert.deepEqual(found, [{ pair: ['a', 'b'], files: ['src/y.ts', 'src/z.ts'] }]);
    assert.deepEqual(h.probe.calls.sort(), ['a+b', 'a+c', 'b+c']);
    const stored = await h.store.getConflict('a', 'b');
    assert.deepEqual(
      [stored?.verdict, stored?.stage, stored?.overlapping_files],
      ['SERIALIZE', 'LIVE', ['src/y.ts', 'src/z.ts']],
    );
    assert.equal((await h.oracle.gate(units[0]!, [units[1]!])).kind, 'wait');

    // a's agent commits a fix: a's tip moves, so its pairs are probed again
    h.probe.set('a', 'b', { clean: true, conflicting_files: [] });
    h.probe.commit('a');
    assert.deepEqual(await h.oracle.probeImplementing(units), []);
    // a+b and a+c by the check, a+b once more by the re-analysis of the cleared conflict; not b+c
    assert.deepEqual(h.probe.calls.slice(3).sort(), ['a+b', 'a+b', 'a+c']);
    const cleared = await h.store.getConflict('a', 'b');
    assert.equal(cleared?.verdict, 'INDEPENDENT', cleared?.reason);
  });
  it('probes again only pairs whose tips moved; a failed probe is retried, a missing branch is clean', async () => {
    for (const c of ['a', 'b', 'c']) h.chunk(c, [`src/${c}.ts#X`]);
    const units = [
      await h.unit({ chunk: 'a', phase: 'IMPLEMENT', worktree: h.root }),
      await h.unit({ chunk: 'b', phase: 'REVIEW', status: 'READY', worktree: h.root }),
      await h.unit({ chunk: 'c', phase: 'IMPLEMENT', worktree: h.root }),
    ];
    h.probe.set('a', 'c', new Error('git exploded'));
    h.probe.set('b', 'c', { clean: false, conflicting_files: ['src/x.ts'] });
    assert.deepEqual(await h.oracle.probeImplementing(units), [{ pair: ['b', 'c'], files: ['src/x.ts'] }]);
    assert.deepEqual(h.probe.calls.splice(0).sort(), ['a+b', 'a+c', 'b+c']);

    // same tips: the failed pair again, nothing else; the conflict still reported from the cache
    h.probe.set('a', 'c', { clean: true, conflicting_files: [] });
    assert.deepEqual(await h.oracle.probeImplementing(units), [{ pair: ['b', 'c'], files: ['src/x.ts'] }]);
    assert.deepEqual(h.probe.calls.splice(0), ['a+c']);
    assert.deepEqual(await h.oracle.probeImplementing(units), [{ pair: ['b', 'c'], files: ['src/x.ts'] }]);
    assert.deepEqual(h.probe.calls.splice(0), []);

    // a's branch is gone (merged meanwhile): its pairs are clean without a probe
    h.probe.tips.delete('a');
    assert.deepEqual(await h.oracle.probeImplementing(units), [{ pair: ['b', 'c'], files: ['src/x.ts'] }]);
    assert.deepEqual(h.probe.calls.splice(0), []);
  });
  it('probes a lone pair by its branches without reading the tips (the read would cost as much)', async () => {
    for (const c of ['a', 'b']) h.chunk(c, [`src/${c}.ts#X`]);
    const units = [
      await h.unit({ chunk: 'a', phase: 'IMPLEMENT', worktree: h.root }),
      await h.unit({ chunk: 'b', phase: 'REVIEW', status: 'READY', worktree: h.root }),
    ];
    h.probe.set('a', 'b', { clean: false, conflicting_files: ['src/x.ts'] });
    for (let i = 0; i < 2; i++)
      assert.deepEqual(await h.oracle.probeImplementing(units), [{ pair: ['a', 'b'], files: ['src/x.ts'] }]);
    assert.deepEqual([h.probe.calls, h.probe.tipReads], [['a+b', 'a+b'], 0]);
    assert.deepEqual(await h.oracle.probeImplementing(units.slice(1)), []);
    assert.deepEqual([h.probe.calls.length, h.probe.tipReads], [2, 0]);
  });
});
