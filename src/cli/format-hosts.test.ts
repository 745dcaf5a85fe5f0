import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aWorkUnit } from '../../test/builders.js';
import type { HostDto } from '../api/dto.js';
import {
  hostStatusLines,
  renderHostChecks,
  renderHostTable,
  renderRemoved,
  unitHost,
} from './format-hosts.js';
import { renderUnitDetails, renderUnitTable } from './format-units.js';

const plain = { color: false };
const host = (name: string, over: Partial<HostDto> = {}): HostDto => ({
  name,
  ssh: `ve@${name}`,
  slots: 2,
  workdir: '.ve-hosts',
  claude_path: 'claude',
  state: 'active',
  health: 'ok',
  health_detail: null,
  tools: null,
  last_check: null,
  created_at: 'x',
  slots_total: 2,
  slots_used: 0,
  units: [],
  ...over,
});

describe('host views', () => {
  it('lists hosts with state, health, slots and why one is not healthy', () => {
    const lines = renderHostTable(plain, [
      host('local', { ssh: null, slots: null, slots_total: 4, slots_used: 1, units: ['a'] }),
      host('h1', { health: 'unreachable', health_detail: 'Connection refused', state: 'draining' }),
    ]);
    assert.match(lines[0] ?? '', /^NAME\s+SSH\s+STATE\s+HEALTH\s+SLOTS\s+UNITS\s+DETAIL$/);
    assert.match(lines[1] ?? '', /^local\s+\(this machine\)\s+active\s+ok\s+1\/4\s+1\s+-$/);
    assert.match(lines[2] ?? '', /^h1\s+ve@h1\s+draining\s+unreachable\s+0\/2\s+0\s+Connection refused$/);
  });

  it('shows each tool’s version and says what is missing', () => {
    const lines = renderHostChecks(plain, [
      {
        name: 'h1',
        health: 'unfit',
        detail: 'missing: claude',
        tools: { git: 'git version 2.47.3', claude: null, bwrap: null, socat: 'socat version 1.8' },
        missing: { required: ['claude'], optional: ['bwrap'] },
        ms: 120,
      },
      {
        name: 'h2',
        health: 'unreachable',
        detail: 'Connection refused',
        tools: null,
        missing: { required: [], optional: [] },
        ms: 3,
      },
    ]);
    assert.deepEqual(lines, [
      'h1: unfit (120 ms)',
      '  git    git version 2.47.3',
      '  claude missing',
      '  bwrap  missing',
      '  socat  socat version 1.8',
      '  cannot run agents: install claude',
      '  no OS sandbox: install bwrap (agents wait unless agent_sandbox is off)',
      'h2: unreachable (3 ms)',
      '  Connection refused',
    ]);
  });

  it('tells the operator what each moved unit lost', () => {
    const lines = renderRemoved(plain, {
      name: 'h2',
      forgotten: false,
      pending:
        'host unreachable (Connection refused): its old copies are stopped and deleted when it is back',
      reassigned: [
        {
          chunk: 'auth',
          phase: 'IMPLEMENT',
          status: 'READY',
          from_commit: '0123456789abcdef',
          fetched_at: '2026-01-01T10:00:00.000Z',
          fetched_now: false,
          lost: 'the IMPLEMENT work on h2 since 2026-01-01T10:00:00.000Z (not fetched: Connection refused)',
        },
      ],
    });
    assert.match(lines[0] ?? '', /^Host h2 removed; its record stays until/);
    assert.equal(lines[1], '  auth (IMPLEMENT, READY) restarts on another host from 0123456789ab');
    assert.match(lines[2] ?? '', /^ {4}lost: the IMPLEMENT work on h2 since/);
  });

  it('puts each host in the status, and each unit’s host in ps and show', () => {
    assert.deepEqual(
      hostStatusLines(plain, [
        host('local', { slots_total: 4, slots_used: 1 }),
        host('h1', { health: 'unreachable', health_detail: 'refused', state: 'draining' }),
      ]),
      ['Hosts:', '  local  1/4 slots  ok', '  h1     0/2 slots  unreachable draining (refused)'],
    );
    const hosts = [host('h1', { health: 'unreachable' })];
    const waiting = aWorkUnit({ chunk: 'a', host: 'h1', status: 'READY' });
    assert.equal(unitHost(waiting, hosts), 'h1 (waiting: unreachable)');
    assert.equal(unitHost({ ...waiting, status: 'NEEDS_ATTENTION' }, hosts), 'h1');
    assert.equal(unitHost({ ...waiting, host: 'gone' }, hosts), 'gone (removed)');
    assert.equal(unitHost({ ...waiting, host: null }, hosts), '-');
    const table = renderUnitTable(plain, [waiting, aWorkUnit({ chunk: 'b' })], { hosts });
    assert.match(table[0] ?? '', /STATUS\s+HOST\s+BLOCKED-BY/);
    assert.match(table[1] ?? '', /READY\s+h1 \(waiting: unreachable\)/);
    assert.doesNotMatch(
      renderUnitTable(plain, [aWorkUnit({ chunk: 'c', host: 'local' })])[0] ?? '',
      /HOST/,
      'no HOST column while every unit runs here',
    );
    const show = renderUnitDetails(plain, {
      ...waiting,
      host_epoch: 2,
      fetched_at: '2026-01-01T10:00:00.000Z',
      fetch_pending: true,
    });
    assert.ok(
      show.some((l) =>
        /^Host:\s+h1 \(placement 2, work last fetched 2026-01-01T10:00:00\.000Z, newer work on the host\)$/.test(
          l,
        ),
      ),
      show.join('\n'),
    );
  });
});
