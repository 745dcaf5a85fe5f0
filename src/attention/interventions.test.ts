import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';
import { silentLogger } from '../infra/json-logger.js';
import { CommandAndWebhookNotifier } from '../infra/notifier.js';
import { watchAttention } from './notify.js';

const QUESTION = [{ question: 'Which?', options: [{ label: 'A' }, { label: 'B' }] }];

describe('attention interventions', () => {
  it('ranks a graph of 8 units so the item that unblocks the most comes first', async () => {
    // q_small blocks 1; q_big blocks 4 (two directly, two through them); q_none blocks nothing but is oldest
    const o = await makeOrchestrator({
      chunks: {
        q_none: {},
        q_small: {},
        q_big: {},
        s1: { depends_on: ['q_small'] },
        b1: { depends_on: ['q_big'] },
        b2: { depends_on: ['q_big'] },
        b3: { depends_on: ['b1'] },
        b4: { depends_on: ['b2', 'b3'] },
      },
    });
    await o.services.inject({ chunks: ['q_none', 'q_small', 'q_big', 's1', 'b1', 'b2', 'b3', 'b4'] });
    for (const c of ['q_none', 'q_small', 'q_big']) {
      await o.services.forceStatus(c, { status: 'NEEDS_ATTENTION', reason: 'needs a decision' });
      o.clock.advance(1000);
    }
    const items = await o.services.attention();
    assert.deepEqual(
      items.map((i) => [i.chunk, i.blocks_count]),
      [
        ['q_big', 4],
        ['q_small', 1],
        ['q_none', 0],
      ],
    );
    assert.equal(items[0]?.goal_summary, 'Make q_big happen.');
  });

  it('parks two questions at once and delivers ten parallel answers without losing one', async () => {
    const o = await makeOrchestrator({ chunks: { one: {}, two: {} } });
    for (const c of ['one', 'two'])
      o.backend.script(c, 'IMPLEMENT', [{ ask: QUESTION }, { text: 'got {{last}}' }, { complete: {} }]);
    await o.parts.scheduler.start();
    await o.services.inject({ chunks: ['one', 'two'] });
    await o.waitForUnit('one', (u) => u.status === 'NEEDS_ATTENTION', 'asked');
    await o.waitForUnit('two', (u) => u.status === 'NEEDS_ATTENTION', 'asked');
    assert.equal(o.parts.live.activeCount(), 0, 'parked agents hold no slot');
    const answers = Array.from({ length: 10 }, (_, i) =>
      o.services.answer(i % 2 ? 'one' : 'two', { option: (i % 2) + 1 }),
    );
    const settled = await Promise.allSettled(answers);
    assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 2, 'one answer per question wins');
    assert.ok(
      settled
        .filter((s) => s.status === 'rejected')
        .every((s) => /not waiting|changed concurrently/.test(String((s as PromiseRejectedResult).reason))),
    );
    for (const c of ['one', 'two']) await o.waitForUnit(c, (u) => u.phase !== 'IMPLEMENT', 'past IMPLEMENT');
    const delivered = o.backend.runs
      .filter((r) => r.request.phase === 'IMPLEMENT')
      .map((r) => r.answers.length);
    assert.deepEqual(delivered, [1, 1]);
    await o.stop();
  });

  it('kills a running phase back to READY or to the operator, and sends guidance into a live session', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    o.backend.script('feat', 'IMPLEMENT', [
      { awaitGuidance: true },
      { text: 'heard {{last}}' },
      { hang: true },
    ]);
    await o.parts.scheduler.start();
    await o.services.inject({ chunks: ['feat'] });
    const run = await o.backend.whenStarted('feat', 'IMPLEMENT');
    await o.services.interrupt('feat', 'use the existing helper');
    await o.waitForUnit('feat', () => run.guidance.length === 1, 'guidance delivered');
    assert.deepEqual(run.guidance, ['use the existing helper']);
    const killed = await o.services.kill('feat', 'attention');
    assert.equal(killed.status, 'NEEDS_ATTENTION');
    assert.equal(killed.session_id, run.session_id, 'the session is kept for a resume');
    await assert.rejects(o.services.kill('feat', 'ready'), /no phase running/);
    await assert.rejects(o.services.interrupt('feat', 'x'), /no agent running/);
    await o.stop();
  });

  it('blocks and unblocks a unit by hand', async () => {
    const o = await makeOrchestrator({ chunks: { a: {}, b: {} } });
    await o.services.inject({ chunks: ['a', 'b'] });
    const blocked = await o.services.block('b', ['a'], 'wait for a');
    assert.deepEqual([blocked.status, blocked.blocked_by], ['BLOCKED', ['a']]);
    await assert.rejects(o.services.block('b', ['b']), /itself/);
    await assert.rejects(o.services.block('b', ['zz']), /not found/);
    const free = await o.services.unblock('b');
    assert.deepEqual([free.status, free.blocked_by], ['READY', []]);
    const before = await o.services.getUnit('b');
    await assert.rejects(o.services.forceStatus('b', { status: 'RUNNING' }), /READY to queue/);
    assert.deepEqual(await o.services.getUnit('b'), before, 'a refused force changes nothing');
  });

  it('pushes a new attention item to a command and a loopback webhook', async () => {
    const o = await makeOrchestrator({ chunks: { feat: {} } });
    const out = join(mkdtempSync(join(tmpdir(), 've-notify-')), 'notice.json');
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await o.services.patchConfig({
      notify_command: `cat > ${out}`,
      notify_webhook: `http://127.0.0.1:${port}/hook`,
    });
    const sent = new Promise<void>((resolve) => {
      const notifier = new CommandAndWebhookNotifier(o.root, silentLogger);
      const stop = watchAttention({
        bus: o.parts.bus,
        store: o.parts.store,
        notifier: {
          notify: async (n, t) => {
            await notifier.notify(n, t);
            stop();
            resolve();
          },
        },
        config: () => o.parts.store.getConfig(),
        url: () => 'http://127.0.0.1:1/',
        log: silentLogger,
      });
    });
    await o.services.inject({ chunks: ['feat'] });
    await o.services.forceStatus('feat', { status: 'NEEDS_ATTENTION', reason: 'look at this' });
    await sent;
    server.close();
    const notice = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(notice.chunk, 'feat');
    assert.equal(JSON.parse(received[0] ?? '{}').chunk, 'feat');
  });
});
