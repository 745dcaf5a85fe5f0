import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';
import { isOrchError } from '../domain/errors.js';

const h1 = { name: 'h1', ssh: 've@h1', slots: 2, workdir: '.ve-work', claude_path: 'claude' };

describe('sqlite hosts', () => {
  it('has local from the start, always first', async () => {
    const { store } = makeStoreHarness();
    await store.hosts.add(h1);
    const hosts = await store.hosts.list();
    assert.deepEqual(
      hosts.map((h) => [h.name, h.ssh, h.slots, h.state]),
      [
        ['local', null, null, 'active'],
        ['h1', 've@h1', 2, 'active'],
      ],
    );
    assert.equal(hosts[0]?.health, 'ok');
    assert.equal(hosts[1]?.health, 'unknown');
  });

  it('refuses a name twice, a removed one too until it is forgotten', async () => {
    const { store } = makeStoreHarness();
    await store.hosts.add(h1);
    await assert.rejects(store.hosts.add(h1), (e) => isOrchError(e, 'already_exists'));
    await assert.rejects(store.hosts.forget('h1'), (e) => isOrchError(e, 'conflict'));
    await store.hosts.setState('h1', 'removed');
    await assert.rejects(store.hosts.add(h1), /forget it: ve orch hosts remove h1 --forget/);
    await store.hosts.forget('h1');
    await store.hosts.add(h1);
  });

  it('changes a host’s slots and publishes it, so a waiting unit can take the new room', async () => {
    const { store, events } = makeStoreHarness();
    await store.hosts.add(h1);
    const changed = await store.hosts.setSlots('h1', 5);
    assert.equal(changed.slots, 5);
    assert.equal((await store.hosts.get('h1'))?.slots, 5);
    const last = events.filter((e) => e.type === 'host_changed').at(-1);
    assert.equal(last?.type === 'host_changed' ? last.host.slots : null, 5);
    await assert.rejects(store.hosts.setSlots('h9', 1), (e) => isOrchError(e, 'not_found'));
  });

  it('publishes a check only when what it found changed', async () => {
    const { store, events } = makeStoreHarness();
    await store.hosts.add(h1);
    const tools = { git: 'git version 2.47', claude: '2.1.0', bwrap: null, socat: null };
    await store.hosts.recordCheck('h1', { health: 'ok', detail: null, tools });
    await store.hosts.recordCheck('h1', { health: 'ok', detail: null });
    const changes = events.filter((e) => e.type === 'host_changed');
    assert.equal(changes.length, 2, 'added, then checked once; the same answer again is not news');
    const host = await store.hosts.get('h1');
    assert.deepEqual(host?.tools, tools, 'a probe without tools keeps the last report');
    assert.ok(host?.last_check);
  });

  it('reassigns a unit off its host: session and unfetched work stay behind, the history says why', async () => {
    const { store, events } = makeStoreHarness();
    await store.create(
      aWorkUnit({
        chunk: 'a',
        status: 'READY',
        host: 'h1',
        host_epoch: 3,
        host_token: 'abcdef01',
        session_id: 's1',
        fetch_pending: true,
      }),
      { source: 'api' },
    );
    await assert.rejects(store.hosts.reassignUnit('a', { from: 'h2', reason: 'x', note: null }), (e) =>
      isOrchError(e, 'conflict'),
    );
    const moved = await store.hosts.reassignUnit('a', {
      from: 'h1',
      reason: 'host h1 removed: work since 10:00 lost',
      note: 'start over from the saved state',
    });
    assert.equal(moved.host, null);
    assert.equal(moved.host_epoch, 3, 'the epoch grows at the next placement');
    assert.equal(moved.session_id, null);
    assert.equal(moved.fetch_pending, false);
    assert.equal(moved.pending_answer, 'start over from the saved state');
    const last = (await store.history('a')).at(-1);
    assert.deepEqual(
      [last?.event, last?.reason, last?.source],
      ['reassign', 'host h1 removed: work since 10:00 lost', 'hosts'],
    );
    assert.ok(events.some((e) => e.type === 'unit_changed' && e.unit.host === null));
  });

  it('places units that already ran before hosts existed on local (migration 7)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 've-hosts-')), 'o.db');
    const db = new Database(path);
    // a database from before version 7, with one unit that ran and one that never did
    const { store } = makeStoreHarness(path);
    await store.create(aWorkUnit({ chunk: 'ran', worktree: '/w' }), { source: 'api' });
    await store.create(aWorkUnit({ chunk: 'fresh' }), { source: 'api' });
    store.close();
    db.exec(`UPDATE work_units SET host = NULL, host_epoch = 0, host_token = NULL;
      DELETE FROM schema_migrations WHERE version >= 7; DROP INDEX phase_runs_ended;
      DROP TABLE hosts; DROP INDEX work_units_host;
      ALTER TABLE work_units DROP COLUMN host; ALTER TABLE work_units DROP COLUMN host_epoch;
      ALTER TABLE work_units DROP COLUMN host_token; ALTER TABLE work_units DROP COLUMN fetch_pending;
      ALTER TABLE work_units DROP COLUMN fetched_at; ALTER TABLE work_units DROP COLUMN tests_accepted;`);
    db.close();
    const again = makeStoreHarness(path).store;
    assert.equal((await again.get('ran'))?.host, 'local');
    assert.equal((await again.get('ran'))?.host_epoch, 1);
    assert.match((await again.get('ran'))?.host_token ?? '', /^[0-9a-f]{16}$/);
    assert.equal((await again.get('fresh'))?.host, null);
    assert.deepEqual(
      (await again.hosts.list()).map((h) => h.name),
      ['local'],
    );
  });
});
