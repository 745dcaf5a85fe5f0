import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';
import { silentLogger } from '../infra/json-logger.js';
import { checkLiveConflicts } from './live-reaction.js';

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
