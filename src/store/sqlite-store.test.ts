import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';
import { isOrchError } from '../domain/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

describe('sqlite-store', () => {
  it('records the latest migration as the schema version', () => {
    const { store } = makeStoreHarness();
    assert.equal(store.schemaVersion(), SCHEMA_VERSION);
    // strictly increasing (a gap is a number held by another branch's migration)
    const versions = MIGRATIONS.map((m) => m.version);
    assert.ok(
      versions.every((v, i) => i === 0 || v > (versions[i - 1] as number)),
      versions.join(','),
    );
  });

  it('is idempotent across reopen and keeps data (WAL file on disk)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 've-store-')), 'o.db');
    const first = makeStoreHarness(path);
    await first.store.create(aWorkUnit({ chunk: 'a' }), { source: 'api' });
    first.store.close();
    const second = makeStoreHarness(path);
    assert.equal((await second.store.get('a'))?.chunk, 'a');
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  it('writes an audit row with every status change, in the same transaction', async () => {
    const { store } = makeStoreHarness();
    await store.create(aWorkUnit({ chunk: 'a' }), { source: 'api' });
    await store.transition('a', { type: 'dispatch' }, { source: 'scheduler' });
    await store.transition('a', { type: 'attend', kind: 'ERROR', reason: 'boom' }, { source: 'runner' });
    const history = await store.history('a');
    assert.deepEqual(
      history.map((h) => [h.old_status, h.new_status, h.event, h.source]),
      [
        [null, 'READY', 'create', 'api'],
        ['READY', 'RUNNING', 'dispatch', 'scheduler'],
        ['RUNNING', 'NEEDS_ATTENTION', 'attend', 'runner'],
      ],
    );
    assert.equal(history[2]?.reason, 'boom');
  });

  it('refuses stale writes and illegal transitions, changing nothing', async () => {
    const { store, events } = makeStoreHarness();
    const u = await store.create(aWorkUnit({ chunk: 'a' }), { source: 'api' });
    await store.update('a', { priority: 3 }, { source: 'api', expectedVersion: u.version });
    await assert.rejects(
      store.update('a', { priority: 9 }, { source: 'api', expectedVersion: u.version }),
      (e) => isOrchError(e, 'stale_write'),
    );
    await assert.rejects(store.transition('a', { type: 'finish' }, { source: 'api' }), (e) =>
      isOrchError(e, 'invalid_transition'),
    );
    const after = await store.get('a');
    assert.equal(after?.priority, 3);
    assert.equal(after?.status, 'READY');
    assert.equal((await store.history('a')).length, 1);
    assert.equal(events.length, 2, 'only committed changes are published');
  });

  it('lists active units without the finished ones, and sums counts and cost per status', async () => {
    const { store } = makeStoreHarness();
    await store.createMany(
      [
        aWorkUnit({ chunk: 'a', status: 'DONE', cost_usd: 1.5 }),
        aWorkUnit({ chunk: 'b', status: 'READY', cost_usd: 0.25 }),
        aWorkUnit({ chunk: 'c', status: 'BLOCKED' }),
        aWorkUnit({ chunk: 'd', status: 'DONE', cost_usd: 0.5 }),
        aWorkUnit({ chunk: 'e', status: 'NEEDS_ATTENTION' }),
      ],
      { source: 'api' },
    );
    assert.deepEqual(
      (await store.list({ active: true })).map((u) => u.chunk),
      ['b', 'c', 'e'],
    );
    assert.equal((await store.list()).length, 5);
    assert.deepEqual(await store.totals(), {
      counts: { DONE: 2, READY: 1, BLOCKED: 1, NEEDS_ATTENTION: 1 },
      cost_usd: 2.25,
    });
  });

  it('pages through units by keyset in (created_at, chunk) order, with the status filters', async () => {
    const { store } = makeStoreHarness();
    const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    // inserted out of order; c and b share a created_at, so the chunk breaks the tie
    await store.createMany(
      [
        aWorkUnit({ chunk: 'e', created_at: at(3), status: 'DONE' }),
        aWorkUnit({ chunk: 'c', created_at: at(2) }),
        aWorkUnit({ chunk: 'a', created_at: at(1), status: 'DONE' }),
        aWorkUnit({ chunk: 'b', created_at: at(2), status: 'BLOCKED' }),
        aWorkUnit({ chunk: 'd', created_at: at(3) }),
      ],
      { source: 'api' },
    );
    const chunks = async (f: Parameters<typeof store.list>[0]) => (await store.list(f)).map((u) => u.chunk);
    assert.deepEqual(await chunks({}), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(await chunks({ limit: 2 }), ['a', 'b']);
    assert.deepEqual(await chunks({ limit: 2, after: 'b' }), ['c', 'd']);
    assert.deepEqual(await chunks({ limit: 2, after: 'd' }), ['e']);
    assert.deepEqual(await chunks({ after: 'e' }), []);
    assert.deepEqual(await chunks({ limit: 0 }), []);
    // the anchor need not match the filter itself: a DONE unit still marks a place among the active ones
    assert.deepEqual(await chunks({ active: true, after: 'a', limit: 2 }), ['b', 'c']);
    assert.deepEqual(await chunks({ active: true, after: 'c' }), ['d']);
    assert.deepEqual(await chunks({ status: 'DONE', after: 'a' }), ['e']);
    assert.deepEqual(await chunks({ status: 'READY', limit: 1 }), ['c']);
    assert.equal(await store.count(), 5);
    assert.equal(await store.count({ active: true }), 3);
    assert.equal(await store.count({ status: 'DONE' }), 2);
    assert.equal(await store.count({ status: 'RUNNING' }), 0);
    await assert.rejects(store.list({ after: 'ghost' }), (e) => isOrchError(e, 'not_found'));
    await assert.rejects(store.list({ limit: 1.5 }), (e) => isOrchError(e, 'invalid_input'));
  });

  it('pages most recently updated first with order recent, the keyset reversed', async () => {
    const { store } = makeStoreHarness();
    const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    // created in one order, finished in another; b and c finished together, so the chunk breaks the tie
    await store.createMany(
      [
        aWorkUnit({ chunk: 'a', created_at: at(1), updated_at: at(5), status: 'DONE' }),
        aWorkUnit({ chunk: 'b', created_at: at(2), updated_at: at(3), status: 'DONE' }),
        aWorkUnit({ chunk: 'c', created_at: at(3), updated_at: at(3), status: 'DONE' }),
        aWorkUnit({ chunk: 'd', created_at: at(4), updated_at: at(9), status: 'READY' }),
        aWorkUnit({ chunk: 'e', created_at: at(5), updated_at: at(1), status: 'DONE' }),
      ],
      { source: 'api' },
    );
    const chunks = async (f: Parameters<typeof store.list>[0]) => (await store.list(f)).map((u) => u.chunk);
    assert.deepEqual(await chunks({ order: 'recent' }), ['d', 'a', 'c', 'b', 'e']);
    assert.deepEqual(await chunks({ order: 'created' }), ['a', 'b', 'c', 'd', 'e']);
    const done = { status: 'DONE' as const, order: 'recent' as const, limit: 2 };
    assert.deepEqual(await chunks(done), ['a', 'c']);
    assert.deepEqual(await chunks({ ...done, after: 'c' }), ['b', 'e']);
    assert.deepEqual(await chunks({ ...done, after: 'e' }), []);
    // the anchor need not be DONE: the READY unit d marks the newest place
    assert.deepEqual(await chunks({ ...done, after: 'd', limit: 10 }), ['a', 'c', 'b', 'e']);
    await assert.rejects(store.list({ order: 'oldest' as never }), (e) => isOrchError(e, 'invalid_input'));
  });

  it('rejects a duplicate unit', async () => {
    const { store } = makeStoreHarness();
    await store.create(aWorkUnit({ chunk: 'a' }), { source: 'api' });
    await assert.rejects(store.create(aWorkUnit({ chunk: 'a' }), { source: 'api' }), (e) =>
      isOrchError(e, 'already_exists'),
    );
  });

  it('validates config patches and applies defaults', async () => {
    const { store, events } = makeStoreHarness();
    assert.equal((await store.getConfig()).max_agents, 2);
    assert.equal((await store.patchConfig({ max_agents: 6 })).max_agents, 6);
    assert.equal(events.at(-1)?.type, 'config_changed');
    await assert.rejects(store.patchConfig({ max_agents: 0 }));
    await assert.rejects(store.patchConfig({ bogus: 1 } as never));
    assert.equal((await store.getConfig()).max_agents, 6);
  });

  it('publishes which analyses an invalidation dropped, keeping operator overrides', async () => {
    const { store, events } = makeStoreHarness();
    const analysis = (a: string, b: string) => ({
      chunk_a: a,
      chunk_b: b,
      verdict: 'SERIALIZE' as const,
      confidence: 0.9,
      stage: 'PLAN' as const,
      reason: 'r',
      overlapping_files: [],
      overlapping_symbols: [],
      override: null,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    await store.upsertConflict(analysis('a', 'b'));
    await store.upsertConflict(analysis('c', 'a'));
    await store.upsertConflict(analysis('b', 'c'));
    await store.setConflictOverride('a', 'd', 'INDEPENDENT');
    events.length = 0;
    await store.invalidateConflicts('a');
    assert.deepEqual(events, [
      {
        type: 'conflicts_invalidated',
        chunk: 'a',
        pairs: [
          ['a', 'b'],
          ['a', 'c'],
        ],
      },
    ]);
    assert.deepEqual((await store.listConflicts()).map((c) => [c.chunk_a, c.chunk_b]).sort(), [
      ['a', 'd'],
      ['b', 'c'],
    ]);
    await store.invalidateConflicts('a');
    assert.equal(events.length, 1, 'nothing left to drop, nothing to say');
  });

  it('keeps an operator override when the pair is re-analyzed', async () => {
    const { store } = makeStoreHarness();
    await store.setConflictOverride('b', 'a', 'INDEPENDENT');
    await store.upsertConflict({
      chunk_a: 'a',
      chunk_b: 'b',
      verdict: 'SERIALIZE',
      confidence: 0.9,
      stage: 'PLAN',
      reason: 'r',
      overlapping_files: ['x.ts'],
      overlapping_symbols: [],
      override: null,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    const c = await store.getConflict('b', 'a');
    assert.equal(c?.override, 'INDEPENDENT');
    assert.equal(c?.verdict, 'SERIALIZE');
  });
});
