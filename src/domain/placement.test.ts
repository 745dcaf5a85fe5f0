import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decidePlacement, needsHost, type Placement, type PlacementHost, withPhaseOn } from './placement.js';

const host = (name: string, over: Partial<PlacementHost> = {}): PlacementHost => ({
  name,
  state: 'active',
  health: 'ok',
  slots: 2,
  used: 0,
  ...over,
});

describe('placement', () => {
  const cases: { name: string; current: string | null; hosts: PlacementHost[]; want: Placement }[] = [
    {
      name: 'a new unit goes to the host with the least used share of its slots',
      current: null,
      hosts: [host('h1', { used: 1 }), host('h2', { slots: 4, used: 1 })],
      want: { kind: 'place', host: 'h2', first: true },
    },
    {
      name: 'equal shares: the most free slots',
      current: null,
      hosts: [host('h1', { slots: 2, used: 1 }), host('h2', { slots: 4, used: 2 })],
      want: { kind: 'place', host: 'h2', first: true },
    },
    {
      name: 'a full tie: local first, then by name',
      current: null,
      hosts: [host('zeta'), host('local'), host('alpha')],
      want: { kind: 'place', host: 'local', first: true },
    },
    {
      name: 'a full tie without local: by name',
      current: null,
      hosts: [host('h2'), host('h1')],
      want: { kind: 'place', host: 'h1', first: true },
    },
    {
      name: 'a draining host takes no new unit',
      current: null,
      hosts: [host('h1', { state: 'draining' }), host('h2', { used: 1 })],
      want: { kind: 'place', host: 'h2', first: true },
    },
    {
      name: 'an unreachable, unfit or unchecked host takes no new unit',
      current: null,
      hosts: [
        host('h1', { health: 'unreachable' }),
        host('h2', { health: 'unfit' }),
        host('h3', { health: 'unknown' }),
      ],
      want: { kind: 'wait', host: null, reason: 'no active host has a free slot' },
    },
    {
      name: 'full hosts: the unit waits',
      current: null,
      hosts: [host('h1', { used: 2 }), host('local', { slots: 0 })],
      want: { kind: 'wait', host: null, reason: 'no active host has a free slot' },
    },
    {
      name: 'a placed unit stays on its host even when another has more room',
      current: 'h1',
      hosts: [host('h1', { used: 1 }), host('h2')],
      want: { kind: 'place', host: 'h1', first: false },
    },
    {
      name: 'a draining host still runs its own units',
      current: 'h1',
      hosts: [host('h1', { state: 'draining' })],
      want: { kind: 'place', host: 'h1', first: false },
    },
    {
      name: 'a placed unit waits for its unreachable host instead of moving',
      current: 'h1',
      hosts: [host('h1', { health: 'unreachable' }), host('h2')],
      want: { kind: 'wait', host: 'h1', reason: 'waiting for host h1 (unreachable)' },
    },
    {
      name: 'a placed unit waits for a free slot on its host',
      current: 'h1',
      hosts: [host('h1', { used: 2 }), host('h2')],
      want: { kind: 'wait', host: 'h1', reason: 'host h1 has no free slot' },
    },
    {
      name: 'a unit whose host is gone waits (reassignment moves it)',
      current: 'h9',
      hosts: [host('h1')],
      want: { kind: 'wait', host: 'h9', reason: 'its host h9 was removed' },
    },
    {
      name: 'a removed host runs nothing',
      current: 'h1',
      hosts: [host('h1', { state: 'removed' })],
      want: { kind: 'wait', host: 'h1', reason: 'its host h1 was removed' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(decidePlacement(c.current, c.hosts), c.want));
  }

  it('per-host slots hold within a pass', () => {
    let hosts = [host('h1', { slots: 1 }), host('h2', { slots: 2 })];
    const placed: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = decidePlacement(null, hosts);
      if (p.kind !== 'place') break;
      placed.push(p.host);
      hosts = withPhaseOn(hosts, p.host);
    }
    assert.deepEqual(placed.sort(), ['h1', 'h2', 'h2']);
  });

  it('a finalizing unit whose work is all here needs no host: its merge does not wait for one', () => {
    const u = (over: Partial<Parameters<typeof needsHost>[0]>) => ({
      host: 'h1',
      finalizing: false,
      fetch_pending: false,
      ...over,
    });
    assert.equal(needsHost(u({})), true);
    assert.equal(needsHost(u({ finalizing: true })), false);
    assert.equal(needsHost(u({ finalizing: true, fetch_pending: true })), true, 'its work is still there');
    assert.equal(needsHost(u({ host: null, finalizing: true })), true);
  });
});
