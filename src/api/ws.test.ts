/**
 * The `/ws` Broadcaster on real services and a real SqliteStore (orchestrator harness): the snapshot
 * holds every unfinished unit and only the newest DONE ones, and a status message follows changes
 * that move the DONE count (or spend, retry times, limits), so pages holding a part of the DONE units
 * still count them all; statuses arrive in the order of the changes.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';
import type { WsMessage } from './dto.js';
import { Broadcaster, SNAPSHOT_DONE_UNITS } from './ws.js';

type Orchestrator = Awaited<ReturnType<typeof makeOrchestrator>>;
let o: Orchestrator;

const DONE = SNAPSHOT_DONE_UNITS + 5;
const done = (i: number) => `d_${String(i).padStart(3, '0')}`;
/** d_000 finished first, d_104 last: updated_at grows with i, created_at falls, so the orders differ */
const at = (s: number) => new Date(Date.UTC(2020, 0, 1, 0, 0, s)).toISOString();

before(async () => {
  o = await makeOrchestrator();
  await o.parts.store.createMany(
    [
      ...Array.from({ length: DONE }, (_, i) =>
        aWorkUnit({ chunk: done(i), status: 'DONE', created_at: at(DONE - i), updated_at: at(1000 + i) }),
      ),
      aWorkUnit({ chunk: 'r_ready', created_at: at(1), updated_at: at(1) }),
      aWorkUnit({ chunk: 'r_blocked', status: 'BLOCKED', created_at: at(2), updated_at: at(2) }),
    ],
    { source: 'api' },
  );
});

after(() => {
  o.parts.store.close();
  rmSync(o.root, { recursive: true, force: true });
});

/** Resolves with the first message of that type the socket receives; a guard keeps a miss from hanging. */
function next(messages: WsMessage[], type: WsMessage['type']): Promise<WsMessage> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`no ${type} message`)), 5000);
    const poll = () => {
      const m = messages.find((x) => x.type === type);
      if (!m) return void setImmediate(poll);
      clearTimeout(guard);
      resolve(m);
    };
    poll();
  });
}

/** Runs `body` with a started Broadcaster and the messages one socket received so far. */
async function listening(body: (b: Broadcaster, messages: WsMessage[]) => Promise<void>): Promise<void> {
  const b = new Broadcaster(o.services);
  const messages: WsMessage[] = [];
  b.start();
  const remove = b.add((text) => messages.push(JSON.parse(text) as WsMessage));
  try {
    await body(b, messages);
  } finally {
    remove();
    b.stop();
  }
}

describe('Broadcaster', () => {
  it('snapshots the unfinished units and the newest 100 DONE ones, with the DONE total', async () => {
    const snap = await new Broadcaster(o.services).snapshot();
    assert.equal(snap.type, 'snapshot');
    if (snap.type !== 'snapshot') return;
    const chunks = snap.data.work_units.map((u) => u.chunk);
    assert.deepEqual(chunks.slice(0, 2), ['r_ready', 'r_blocked'], 'unfinished units first');
    const newest = Array.from({ length: SNAPSHOT_DONE_UNITS }, (_, k) => done(DONE - 1 - k));
    assert.deepEqual(chunks.slice(2), newest, 'most recently finished first');
    assert.equal(snap.data.done_next_after, done(5), 'the oldest DONE unit sent');
    assert.equal(snap.data.status.counts.DONE, DONE);
  });

  it('says null when every DONE unit fits, and sends a status whenever the DONE count moves', async () => {
    await listening(async (b, messages) => {
      // a priority edit on a finished unit changes no count: a unit message and nothing more
      await o.services.setPriority(done(0), 3);
      await o.services.forceStatus('r_ready', { status: 'DONE', reason: 'merged by hand' });
      const status = await next(messages, 'status');
      assert.deepEqual(
        messages.filter((m) => m.type !== 'attention').map((m) => m.type),
        ['unit', 'unit', 'status'],
      );
      assert.equal(status.type === 'status' && status.data.counts.DONE, DONE + 1);

      messages.length = 0;
      await o.services.deleteUnit(done(1), true);
      const afterDelete = await next(messages, 'status');
      assert.equal(afterDelete.type === 'status' && afterDelete.data.counts.DONE, DONE);

      // 106 DONE less 7 deleted: 99 fit in the snapshot
      for (let i = 2; i < 8; i++) await o.services.deleteUnit(done(i), true);
      const snap = await b.snapshot();
      assert.ok(snap.type === 'snapshot');
      assert.equal(snap.data.status.counts.DONE, DONE + 1 - 7);
      assert.equal(snap.data.work_units.length, 1 + DONE + 1 - 7);
      assert.equal(snap.data.done_next_after, null);
    });
  });

  it('tells dashboards which conflict analyses are gone when a chunk moves on', async () => {
    await listening(async (_b, messages) => {
      await o.parts.store.upsertConflict({
        chunk_a: 'r_ready',
        chunk_b: 'r_blocked',
        verdict: 'ASK_OPERATOR',
        confidence: 0.5,
        stage: 'PLAN',
        reason: 'both touch a.ts',
        overlapping_files: ['a.ts'],
        overlapping_symbols: [],
        override: null,
        created_at: at(3),
      });
      assert.equal((await next(messages, 'conflict')).type, 'conflict');
      await o.parts.store.invalidateConflicts('r_ready');
      const gone = await next(messages, 'conflicts_invalidated');
      assert.deepEqual(gone, {
        type: 'conflicts_invalidated',
        data: { chunk: 'r_ready', pairs: [['r_blocked', 'r_ready']] },
      });
    });
  });
  it('never sends an older status after a newer one, however long the older read takes', async (t) => {
    const turn = () => new Promise((r) => setImmediate(r));
    // reads the earlier tests' broadcasters still had queued finish before this one counts any
    for (let i = 0; i < 20; i++) await turn();
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    let answered = 0;
    const read = o.services.status.bind(o.services);
    // the first read sees the config before the second change, then takes its time to answer
    t.mock.method(o.services, 'status', async () => {
      const first = ++started === 1;
      const status = await read();
      if (first) await gate;
      answered += 1;
      return status;
    });
    await listening(async (_b, messages) => {
      await o.services.patchConfig({ project_budget_usd: 1 });
      while (started === 0) await turn();
      await o.services.patchConfig({ project_budget_usd: 2 });
      for (let i = 0; i < 20; i++) await turn();
      release();
      while (answered < started) await turn();
      await turn();
      const last = messages.filter((m) => m.type === 'status').at(-1);
      assert.equal(
        last?.type === 'status' && last.data.budget?.project?.limit_usd,
        2,
        'the newest status last',
      );
    });
  });
});
