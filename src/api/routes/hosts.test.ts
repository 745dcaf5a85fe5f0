/**
 * The host routes through `app.request`, on an orchestrator whose hosts are the ssh stand-in's: add
 * (checked at once), list with slots and units, check, drain/activate, remove (refused while units
 * are there, then with reassignment), the status summary, the WebSocket snapshot, and bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { makeRemoteOrchestrator } from '../../../test/support/remote-orchestrator.js';
import { createApp } from '../app.js';
import type {
  AddHostDto,
  ErrorBody,
  HostChecksDto,
  HostListDto,
  RemoveHostDto,
  StatusDto,
  WsMessage,
} from '../dto.js';
import { Broadcaster } from '../ws.js';

type Remote = Awaited<ReturnType<typeof makeRemoteOrchestrator>>;
let o: Remote;
let app: Hono;

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await app.request(path, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

before(async () => {
  o = await makeRemoteOrchestrator({ chunks: ['feat'], hosts: ['h1'] });
  app = createApp({ services: o.services, broadcaster: new Broadcaster(o.services) });
});
after(async () => {
  await o.stop();
  o.cleanup();
});

describe('host routes', () => {
  it('adds a host and checks it at once; a host that is down is added, unreachable', async () => {
    o.fake.down('h2');
    const added = await call<AddHostDto>('POST', '/api/hosts', { name: 'h2', ssh: 've@h2', slots: 3 });
    assert.equal(added.status, 201);
    assert.equal(added.body.host.slots_total, 3);
    assert.equal(added.body.check.health, 'unreachable');
    assert.match(added.body.check.detail ?? '', /Connection refused/);
    o.fake.up('h2');
    const checked = await call<HostChecksDto>('POST', '/api/hosts/h2/check');
    assert.equal(checked.body.checks[0]?.health, 'unfit', 'reached, but no Claude Code there');
    assert.deepEqual(checked.body.checks[0]?.missing.required, ['claude']);
    const all = await call<HostChecksDto>('POST', '/api/hosts/check');
    assert.deepEqual(
      all.body.checks.map((c) => [c.name, c.health]),
      [
        ['local', all.body.checks[0]?.health],
        ['h1', 'ok'],
        ['h2', 'unfit'],
      ],
    );
  });

  it('refuses bad input and changes nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'local', ssh: 'x' }, /daemon's own machine/],
      [{ name: 'Bad_Name', ssh: 'x' }, /invalid host name/],
      [{ name: 'h3', ssh: '-oProxyCommand=x' }, /invalid ssh target/],
      [{ name: 'h3', ssh: 'x', slots: -1 }, /slots/],
      [{ name: 'h3', ssh: 'x', workdir: 'a\nb' }, /invalid workdir/],
      [{ name: 'h3', ssh: 'x', extra: 1 }, /extra|unrecognized/i],
      [{ name: 'h1', ssh: 'x' }, /already exists/],
    ];
    for (const [body, message] of cases) {
      const res = await call<ErrorBody>('POST', '/api/hosts', body);
      assert.ok(res.status === 400 || res.status === 409, `${JSON.stringify(body)}: ${res.status}`);
      assert.match(res.body.error.message, message, JSON.stringify(body));
    }
    const list = await call<HostListDto>('GET', '/api/hosts');
    assert.deepEqual(
      list.body.hosts.map((h) => h.name),
      ['local', 'h1', 'h2'],
    );
    assert.equal((await call<ErrorBody>('DELETE', '/api/hosts/local')).status, 400);
    assert.equal((await call<ErrorBody>('DELETE', '/api/hosts/nope')).status, 404);
    assert.equal((await call<ErrorBody>('DELETE', '/api/hosts/h1?reassign=maybe')).status, 400);
    assert.equal((await call<ErrorBody>('POST', '/api/hosts/NOPE!/drain')).status, 400);
    const slotCases: [string, unknown, number, RegExp][] = [
      ['h2', { slots: -1 }, 400, /slots/],
      ['h2', { slots: '3' }, 400, /slots/],
      ['h2', { slots: 1.5 }, 400, /slots/],
      ['h2', { slots: 2, ssh: 'x' }, 400, /ssh|unrecognized/i],
      ['h2', {}, 400, /slots/],
      ['local', { slots: 6 }, 400, /ve orch config --max-agents 6/],
      ['nope', { slots: 1 }, 404, /nope/],
    ];
    for (const [name, body, status, message] of slotCases) {
      const res = await call<ErrorBody>('PATCH', `/api/hosts/${name}`, body);
      assert.equal(res.status, status, `${name} ${JSON.stringify(body)}`);
      assert.match(res.body.error.message, message, `${name} ${JSON.stringify(body)}`);
    }
    const after = await call<HostListDto>('GET', '/api/hosts');
    assert.deepEqual(
      after.body.hosts.map((h) => [h.name, h.slots_total]),
      [
        ['local', 4],
        ['h1', 2],
        ['h2', 3],
      ],
      'nothing changed',
    );
  });

  it('shows each host’s slots, units and health in the list, the status and the dashboard snapshot', async () => {
    o.backend.script('feat', 'IMPLEMENT', [{ hang: true }]);
    await o.start();
    await o.services.inject({ chunks: ['feat'], phase: 'IMPLEMENT' });
    await o.waitForUnit('feat', (u) => u.status === 'RUNNING' && u.host === 'h1', 'running on h1');
    await o.backend.whenStarted('feat', 'IMPLEMENT');
    const list = await call<HostListDto>('GET', '/api/hosts');
    const h1 = list.body.hosts.find((h) => h.name === 'h1');
    assert.deepEqual([h1?.slots_used, h1?.slots_total, h1?.units], [1, 2, ['feat']]);
    const status = await call<StatusDto>('GET', '/api/status');
    assert.deepEqual(
      status.body.hosts.map((h) => [h.name, h.state, h.slots_used]),
      [
        ['local', 'draining', 0],
        ['h1', 'active', 1],
        ['h2', 'active', 0],
      ],
    );
    const snap = (await new Broadcaster(o.services).snapshot()) as Extract<WsMessage, { type: 'snapshot' }>;
    assert.equal(snap.data.hosts.find((h) => h.name === 'h1')?.slots_used, 1);
  });

  it('drains and activates; removing a host with units needs --reassign', async () => {
    const drained = await call<HostListDto['hosts'][number]>('POST', '/api/hosts/h1/drain');
    assert.equal(drained.body.state, 'draining');
    assert.equal((await call<ErrorBody>('DELETE', '/api/hosts/h1')).status, 409);
    const removed = await call<RemoveHostDto>('DELETE', '/api/hosts/h1?reassign=true');
    assert.equal(removed.status, 200);
    assert.equal(removed.body.forgotten, true, 'reachable: swept and forgotten at once');
    assert.equal(removed.body.reassigned[0]?.chunk, 'feat');
    // its running phase was stopped, and the phase's end brought its work back: only the session stays
    assert.match(
      removed.body.reassigned[0]?.lost ?? '',
      /^its session fake-feat-IMPLEMENT-\d+ \(the phase restarts/,
    );
    const list = await call<HostListDto>('GET', '/api/hosts');
    assert.deepEqual(
      list.body.hosts.map((h) => h.name),
      ['local', 'h2'],
    );
    const activated = await call<HostListDto['hosts'][number]>('POST', '/api/hosts/h2/activate');
    assert.equal(activated.body.state, 'active');
    const resized = await call<HostListDto['hosts'][number]>('PATCH', '/api/hosts/h2', { slots: 7 });
    assert.deepEqual([resized.status, resized.body.slots_total], [200, 7]);
    // removed while unreachable: the record stays until it can be swept, and takes no new slots
    o.fake.down('h3');
    assert.equal((await call<AddHostDto>('POST', '/api/hosts', { name: 'h3', ssh: 've@h3' })).status, 201);
    const pending = await call<RemoveHostDto>('DELETE', '/api/hosts/h3');
    assert.equal(pending.body.forgotten, false);
    const refused = await call<ErrorBody>('PATCH', '/api/hosts/h3', { slots: 1 });
    assert.deepEqual([refused.status, refused.body.error.message], [409, "host 'h3' is removed"]);
  });
});
