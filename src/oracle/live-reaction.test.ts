/** The live conflict check: its reaction to real conflicts, and one check at a time per store. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';
import { makeOracleHarness } from '../../test/support/oracle-harness.js';
import { silentLogger } from '../infra/json-logger.js';
import { checkLiveConflicts, type LiveReactionDeps } from './live-reaction.js';
import type { LiveConflict } from './live-watch.js';

async function twoImplementing(action: 'attention' | 'serialize') {
  const h = makeStoreHarness();
  await h.store.patchConfig({ live_conflict_action: action });
  const wt = (c: string) => `/tmp/wt/${c}`;
  await h.store.create(
    aWorkUnit({
      chunk: 'early',
      phase: 'IMPLEMENT',
      status: 'RUNNING',
      worktree: wt('early'),
      created_at: '2026-01-01T00:00:00.000Z',
    }),
    { source: 'api' },
  );
  await h.store.create(
    aWorkUnit({
      chunk: 'late',
      phase: 'REVIEW',
      status: 'READY',
      worktree: wt('late'),
      created_at: '2026-01-02T00:00:00.000Z',
    }),
    { source: 'api' },
  );
  let probes = 0;
  const probe = async () => {
    probes += 1;
    return [{ pair: ['early', 'late'] as [string, string], files: ['src/shared.ts'] }];
  };
  return { ...h, deps: { store: h.store, probe, log: silentLogger }, probes: () => probes };
}

describe('live conflict reaction', () => {
  it('raises one CONFLICT item on the unit between phases, naming the files', async () => {
    const t = await twoImplementing('attention');
    assert.equal(await checkLiveConflicts(t.deps), 1);
    const late = await t.store.get('late');
    assert.equal(late?.attention_kind, 'CONFLICT');
    assert.match(late?.attention_reason ?? '', /src\/shared\.ts/);
    assert.deepEqual(late?.blocked_by, ['early']);
    assert.equal((await t.store.get('early'))?.status, 'RUNNING', 'the running agent is left alone');
    assert.equal(await checkLiveConflicts(t.deps), 0, 'raised once per pair');
  });

  it('serializes instead when configured, and respects the operator’s decision', async () => {
    const t = await twoImplementing('serialize');
    await checkLiveConflicts(t.deps);
    const late = await t.store.get('late');
    assert.deepEqual([late?.status, late?.blocked_by], ['BLOCKED', ['early']]);

    const u = await twoImplementing('attention');
    await u.store.setConflictOverride('early', 'late', 'INDEPENDENT');
    assert.equal(await checkLiveConflicts(u.deps), 0);
    assert.equal((await u.store.get('late'))?.status, 'READY');
  });
});

/** A probe whose calls wait until the test releases them, answering what the test queued. */
function gatedProbe() {
  const calls: { release: (r: LiveConflict[] | Error) => void }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const probe = () =>
    new Promise<LiveConflict[]>((resolve, reject) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      calls.push({
        release: (r) => {
          inFlight -= 1;
          if (r instanceof Error) reject(r);
          else resolve(r);
        },
      });
      for (const w of waiters.filter((w) => calls.length >= w.n)) w.resolve();
    });
  return {
    calls,
    probe,
    /** resolves once the probe has been called `n` times in all */
    called: (n: number) =>
      calls.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    maxInFlight: () => maxInFlight,
  };
}

async function twoUnits() {
  const h = makeStoreHarness();
  await h.store.createMany(
    [
      aWorkUnit({
        chunk: 'alpha',
        phase: 'IMPLEMENT',
        status: 'RUNNING',
        created_at: '2026-01-01T00:00:00.000Z',
      }),
      aWorkUnit({
        chunk: 'beta',
        phase: 'IMPLEMENT',
        status: 'READY',
        created_at: '2026-01-01T00:00:01.000Z',
      }),
    ],
    { source: 'api' },
  );
  return h;
}

describe('live conflict checks in flight', () => {
  it('runs one check at a time: requests made meanwhile share a single re-run that starts after it', async () => {
    const { store } = await twoUnits();
    const g = gatedProbe();
    const deps: LiveReactionDeps = { store, probe: g.probe, log: silentLogger };
    const first = checkLiveConflicts(deps);
    await g.called(1);
    const later = [checkLiveConflicts(deps), checkLiveConflicts(deps), checkLiveConflicts({ ...deps })];

    g.calls[0]?.release([]);
    assert.equal(await first, 0);
    await g.called(2);
    g.calls[1]?.release([{ pair: ['alpha', 'beta'], files: ['src/x.ts'] }]);
    assert.deepEqual(await Promise.all(later), [1, 1, 1]);
    // every request is answered, so no probe is still to come
    assert.equal(g.calls.length, 2, 'exactly one re-run for the three requests');
    assert.equal(g.maxInFlight(), 1, 'no second probe while the first runs');
    assert.equal((await store.get('beta'))?.blocked_by.includes('alpha' as never), true);

    // idle again: the next request starts a check of its own at once
    const next = checkLiveConflicts(deps);
    await g.called(3);
    g.calls[2]?.release([]);
    assert.equal(await next, 0);
  });

  it('still runs the queued re-run when the running check fails, and reports the failure to its callers', async () => {
    const { store } = await twoUnits();
    const g = gatedProbe();
    const deps: LiveReactionDeps = { store, probe: g.probe, log: silentLogger };
    const first = checkLiveConflicts(deps);
    await g.called(1);
    const again = checkLiveConflicts(deps);
    g.calls[0]?.release(new Error('git exploded'));
    await assert.rejects(first, /git exploded/);
    await g.called(2);
    g.calls[1]?.release([]);
    assert.equal(await again, 0);
    assert.equal(g.calls.length, 2);
  });
});

describe('live conflict checks through the oracle', () => {
  it('probe only the pairs whose branch tips moved since the last check', async () => {
    const h = makeOracleHarness();
    try {
      const chunks = ['a', 'b', 'c', 'd', 'e'];
      for (const c of chunks) h.chunk(c, [`src/${c}.ts#X`]);
      for (const [i, c] of chunks.entries()) {
        // created in this order: the later unit of a conflicting pair gives way
        const created_at = `2026-01-01T00:00:0${i}.000Z`;
        await h.unit({ chunk: c, phase: 'IMPLEMENT', status: 'READY', worktree: h.root, created_at });
      }
      const deps: LiveReactionDeps = {
        store: h.store,
        probe: (units) => h.oracle.probeImplementing(units),
        log: silentLogger,
      };
      const probesOf = async () => {
        await checkLiveConflicts(deps);
        return h.probe.calls.splice(0).sort();
      };
      assert.equal((await probesOf()).length, 10, 'the first check probes all k(k−1)/2 pairs');
      assert.deepEqual(await probesOf(), [], 'tips unchanged (a REVIEW end with no commit): none');
      h.probe.commit('c');
      assert.deepEqual(await probesOf(), ['a+c', 'b+c', 'c+d', 'c+e'], 'c committed: its k−1 pairs');
      assert.deepEqual(await probesOf(), []);
      assert.equal(h.probe.tipReads, 4, 'one read of all tips per check');

      // the conflict c's next commit makes is found, raised once, and not probed for again
      h.probe.set('c', 'e', { clean: false, conflicting_files: ['src/shared.ts'] });
      h.probe.commit('c');
      assert.equal(await checkLiveConflicts(deps), 1);
      assert.equal((await h.store.get('e'))?.attention_kind, 'CONFLICT');
      assert.equal(h.probe.calls.splice(0).length, 4);
      assert.equal(await checkLiveConflicts(deps), 0);
      assert.deepEqual(h.probe.calls, []);
    } finally {
      h.close();
    }
  });
});
