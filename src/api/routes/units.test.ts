/**
 * GET /api/work-units through `app.request`: keyset pages with `limit` and `after` in either order,
 * the `active` filter, and 400/404 answers for bad query values. Real SqliteStore and services
 * (orchestrator harness).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { aWorkUnit } from '../../../test/builders.js';
import { makeOrchestrator } from '../../../test/support/orchestrator-harness.js';
import { createApp } from '../app.js';
import type { ErrorBody, UnitPageDto } from '../dto.js';
import { Broadcaster } from '../ws.js';

type Orchestrator = Awaited<ReturnType<typeof makeOrchestrator>>;
let o: Orchestrator;
let app: Hono;

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await app.request(path);
  return { status: res.status, body: await res.json() };
}

async function page(query: string): Promise<UnitPageDto> {
  const { status, body } = await get(`/api/work-units${query}`);
  assert.equal(status, 200, `${query}: ${JSON.stringify(body)}`);
  return body as UnitPageDto;
}

const chunks = (p: UnitPageDto) => p.work_units.map((u) => u.chunk);

before(async () => {
  o = await makeOrchestrator();
  const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
  // b and c share a created_at: the chunk name orders them
  await o.parts.store.createMany(
    [
      aWorkUnit({ chunk: 'a', created_at: at(1), status: 'DONE' }),
      aWorkUnit({ chunk: 'c', created_at: at(2), status: 'BLOCKED' }),
      aWorkUnit({ chunk: 'b', created_at: at(2) }),
      aWorkUnit({ chunk: 'd', created_at: at(3), status: 'DONE' }),
      aWorkUnit({ chunk: 'e', created_at: at(4), status: 'NEEDS_ATTENTION' }),
    ],
    { source: 'api' },
  );
  app = createApp({ services: o.services, broadcaster: new Broadcaster(o.services) });
});

after(() => {
  o.parts.store.close();
  rmSync(o.root, { recursive: true, force: true });
});

describe('GET /api/work-units', () => {
  it('lists every unit without a limit, with no next page', async () => {
    const all = await page('');
    assert.deepEqual(chunks(all), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(all.count, 5);
    assert.equal(all.total, 5);
    assert.equal(all.next_after, null);
  });

  it('pages by limit and after until next_after is null, each unit once and in order', async () => {
    const first = await page('?limit=2');
    assert.deepEqual(chunks(first), ['a', 'b']);
    assert.deepEqual([first.count, first.total, first.next_after], [2, 5, 'b']);
    const second = await page('?limit=2&after=b');
    assert.deepEqual(chunks(second), ['c', 'd']);
    assert.equal(second.next_after, 'd');
    const last = await page('?limit=2&after=d');
    assert.deepEqual(chunks(last), ['e']);
    assert.deepEqual([last.count, last.total, last.next_after], [1, 5, null]);
    // a page that ends exactly on the last unit has no next page either
    assert.equal((await page('?limit=5')).next_after, null);
    assert.equal((await page('?limit=10000')).count, 5);
  });

  it('filters active units (all but DONE) and pages within a filter', async () => {
    const active = await page('?active=true');
    assert.deepEqual(chunks(active), ['b', 'c', 'e']);
    assert.equal(active.total, 3);
    const paged = await page('?active=true&limit=1&after=b');
    assert.deepEqual(chunks(paged), ['c']);
    assert.deepEqual([paged.total, paged.next_after], [3, 'c']);
    assert.deepEqual(chunks(await page('?active=false')), ['a', 'b', 'c', 'd', 'e']);
    const done = await page('?status=DONE&limit=1');
    assert.deepEqual([chunks(done), done.total, done.next_after], [['a'], 2, 'a']);
  });

  it('lists most recently updated first with order=recent, paging older with after', async () => {
    assert.deepEqual(chunks(await page('?order=recent')), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(chunks(await page('?order=created')), ['a', 'b', 'c', 'd', 'e']);
    const newest = await page('?status=DONE&order=recent&limit=1');
    assert.deepEqual([chunks(newest), newest.total, newest.next_after], [['d'], 2, 'd']);
    const older = await page('?status=DONE&order=recent&limit=1&after=d');
    assert.deepEqual([chunks(older), older.total, older.next_after], [['a'], 2, null]);
  });

  it('rejects bad limits, active values and filters given together with a clear 400', async () => {
    const cases: [string, RegExp][] = [
      ['?limit=0', /invalid limit '0'; use an integer from 1 to 10000/],
      ['?limit=10001', /invalid limit '10001'/],
      ['?limit=abc', /invalid limit 'abc'/],
      ['?limit=1.5', /invalid limit '1.5'/],
      ['?limit=-3', /invalid limit '-3'/],
      ['?limit=', /invalid limit ''/],
      ['?active=yes', /invalid active 'yes'; use true or false/],
      ['?status=READY&active=true', /either status or active=true, not both/],
      ['?order=newest', /invalid order 'newest'; use created or recent/],
      ['?order=', /invalid order ''/],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await get(`/api/work-units${query}`);
      assert.equal(status, 400, query);
      assert.equal((body as ErrorBody).error.code, 'invalid_input', query);
      assert.match((body as ErrorBody).error.message, message, query);
    }
  });

  it('answers 400 for an after that is not a chunk name and 404 for one with no unit', async () => {
    const bad = await get(`/api/work-units?after=${encodeURIComponent('../x')}`);
    assert.equal(bad.status, 400);
    assert.equal((bad.body as ErrorBody).error.code, 'invalid_name');
    const ghost = await get('/api/work-units?limit=2&after=ghost');
    assert.equal(ghost.status, 404);
    assert.equal((ghost.body as ErrorBody).error.code, 'not_found');
    assert.match((ghost.body as ErrorBody).error.message, /work unit 'ghost' not found/);
  });
});
