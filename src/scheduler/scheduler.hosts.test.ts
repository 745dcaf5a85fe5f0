/** The scheduler with the host pool: placement at the first dispatch, per-host slots and max_agents. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';
import { FakePhaseRunner } from '../../test/fakes/fake-phase-runner.js';
import { silentLogger } from '../infra/json-logger.js';
import { Scheduler } from './scheduler.js';

const TOOLS = { git: 'git version 2.47', claude: '2.1.0', bwrap: 'bubblewrap 0.11', socat: 'socat 1.8' };

async function setup(
  maxAgents: number,
  hosts: Record<string, number>,
  opts: { localHold?: string; tools?: typeof TOOLS } = {},
) {
  const h = makeStoreHarness();
  const runner = new FakePhaseRunner(h.store);
  let tokens = 0;
  const scheduler = new Scheduler({
    ...(opts.localHold ? { holdAgents: async () => opts.localHold ?? null } : {}),
    store: h.store,
    runner,
    oracle: null,
    clock: h.clock,
    bus: h.bus,
    log: silentLogger,
    hosts: h.store.hosts,
    newLeaseToken: () => `abcdef${String(++tokens).padStart(2, '0')}`,
  });
  await h.store.patchConfig({ max_agents: maxAgents });
  if (!opts.localHold) await h.store.hosts.setState('local', 'draining');
  for (const [name, slots] of Object.entries(hosts)) {
    await h.store.hosts.add({ name, ssh: name, slots, workdir: 'w', claude_path: 'claude' });
    await h.store.hosts.recordCheck(name, { health: 'ok', detail: null, tools: opts.tools ?? TOOLS });
  }
  const units = async (...chunks: string[]) => {
    for (const [i, chunk] of chunks.entries())
      await h.store.create(aWorkUnit({ chunk, created_at: `2026-01-01T00:00:0${i}.000Z` }), {
        source: 'api',
      });
  };
  /** ends the unit's phase and lets the scheduler see that it is over */
  const finish = async (chunk: string) => {
    await runner.finish(chunk, { type: 'advance', phase: 'IMPLEMENT' });
    await new Promise((r) => setImmediate(r));
  };
  const hostOf = async () =>
    Object.fromEntries((await h.store.list({ status: 'RUNNING' })).map((u) => [u.chunk, u.host]));
  return { ...h, runner, scheduler, units, hostOf, finish };
}

describe('scheduler with hosts', () => {
  it('places each unit at its first dispatch, within every host’s slots and max_agents', async () => {
    const t = await setup(4, { h1: 1, h2: 2, h3: 2 });
    await t.units('a', 'b', 'c', 'd', 'e', 'f');
    assert.deepEqual(await t.scheduler.pass(), ['a', 'b', 'c', 'd']);
    const placed = await t.hostOf();
    const perHost: Record<string, number> = {};
    for (const h of Object.values(placed)) perHost[h as string] = (perHost[h as string] ?? 0) + 1;
    assert.deepEqual(perHost, { h1: 1, h2: 2, h3: 1 });
    const a = await t.store.get('a');
    assert.equal(a?.host_epoch, 1);
    assert.equal(a?.host_token, 'abcdef01');
    assert.match((await t.store.history('a')).at(-1)?.reason ?? '', /placed on h/);
  });

  it('keeps a unit on its host for its life: it waits for that host, and its lease stays', async () => {
    const t = await setup(4, { h1: 1, h2: 2 });
    await t.units('a');
    await t.scheduler.pass();
    const first = (await t.store.get('a'))?.host as string;
    await t.store.hosts.recordCheck(first, { health: 'unreachable', detail: 'Connection refused' });
    await t.finish('a'); // the pass this wakes finds its host down
    await t.scheduler.idlePass();
    assert.deepEqual(await t.scheduler.pass(), [], 'another host has room, but the unit waits for its own');
    await t.store.hosts.recordCheck(first, { health: 'ok', detail: null });
    assert.deepEqual(await t.scheduler.pass(), ['a']);
    const again = await t.store.get('a');
    assert.equal(again?.host, first);
    assert.equal(again?.host_epoch, 1, 'no new placement, no new lease');
  });

  it('a draining host runs its own units and takes no new one', async () => {
    const t = await setup(4, { h1: 2, h2: 2 });
    await t.units('a');
    await t.scheduler.pass();
    const home = (await t.store.get('a'))?.host as string;
    const other = home === 'h1' ? 'h2' : 'h1';
    await t.store.hosts.setState(home, 'draining');
    await t.units('b');
    await t.finish('a'); // the pass this wakes starts both
    await t.scheduler.idlePass();
    assert.deepEqual(await t.hostOf(), { a: home, b: other });
  });

  it('with every host draining or full, nothing new starts', async () => {
    const t = await setup(4, { h1: 1 });
    await t.units('a', 'b');
    assert.deepEqual(await t.scheduler.pass(), ['a']);
    assert.deepEqual(await t.scheduler.pass(), []);
    assert.equal((await t.store.get('b'))?.host, null, 'not placed while it waits');
  });

  it('no OS sandbox, no agent: a held local and a host without bubblewrap take no unit; others do', async () => {
    const t = await setup(4, { h1: 2 }, { localHold: 'no bubblewrap here' });
    await t.store.hosts.add({ name: 'h2', ssh: 'h2', slots: 2, workdir: 'w', claude_path: 'claude' });
    await t.store.hosts.recordCheck('h2', { health: 'ok', detail: null, tools: { ...TOOLS, bwrap: null } });
    await t.units('a', 'b', 'c');
    assert.deepEqual(await t.scheduler.pass(), ['a', 'b'], 'local is held: the units go to h1 only');
    assert.deepEqual(await t.hostOf(), { a: 'h1', b: 'h1' });
    await t.store.patchConfig({ agent_sandbox: 'off' });
    assert.deepEqual(await t.scheduler.pass(), ['c'], 'with the sandbox off, h2 can take agents');
    assert.equal((await t.store.get('c'))?.host, 'h2');
  });

  it('a finalizing unit whose work is all here is merged even while its host is away', async () => {
    const t = await setup(4, { h1: 1 });
    await t.store.hosts.recordCheck('h1', { health: 'unreachable', detail: 'Connection refused' });
    await t.store.create(
      aWorkUnit({
        chunk: 'a',
        phase: 'COMPLETE',
        host: 'h1',
        host_epoch: 1,
        host_token: 'abcdef01',
        finalizing: true,
      }),
      { source: 'api' },
    );
    await t.store.create(aWorkUnit({ chunk: 'b', host: 'h1', host_epoch: 1, host_token: 'abcdef02' }), {
      source: 'api',
    });
    assert.deepEqual(await t.scheduler.pass(), ['a'], 'b waits for h1; a’s merge does not need it');
  });

  it('max_agents holds across hosts', async () => {
    const t = await setup(2, { h1: 4, h2: 4 });
    await t.units('a', 'b', 'c');
    assert.deepEqual(await t.scheduler.pass(), ['a', 'b']);
  });
});
