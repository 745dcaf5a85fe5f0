/**
 * Issue 13's proof: one real daemon, run as an unprivileged user, with three hosts made of network
 * namespaces (their own sshd and Unix user, each with its own Claude Code binary), the real Claude
 * Code driven by the scripted model (reached from the namespaces through a relay). Nine chunks run
 * across the three hosts and land on base. One host's sshd is killed mid-phase and brought back: its
 * units wait, then resume there in the same sessions, nothing lost and nothing run twice. A second
 * host is lost for good and removed: its units finish elsewhere, the operator is told what was lost,
 * and when that host answers again its stale copy is stopped and deleted, and nothing of it is used.
 * This file runs as root (it makes the hosts and cuts them); every ve process runs as the daemon user.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  HistoryDto,
  HostDto,
  HostListDto,
  StatusDto,
  UnitListDto,
  WorkUnitDto,
} from '../../src/api/dto.js';
import { ScriptedBrain } from '../../src/demo/scripted-brain.js';
import {
  claudeBinaryPath,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/demo/scripted-model-server.js';
import { fleetProject, gitAsDaemon, MidPhaseGate, veAsDaemon } from '../support/fleet-project.js';
import { createHostPool, type HostPool, namespaceProcesses, relayToHosts } from '../support/netns-hosts.js';
import { socketApi } from '../support/socket-api.js';

const CHUNKS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india'];

let pool: HostPool;
let server: ScriptedModelServer;
let relay: { url: string; close(): Promise<void> };
let root: string;
let ve: (...args: string[]) => Promise<string>;
const started = Date.now();
const measure = (what: string, since: number) =>
  console.log(`measure: ${what} ${((Date.now() - since) / 1000).toFixed(1)} s`);

// the model's answer to an agent on h1, then on h2, is held mid-phase while the test cuts the host
let cut1: MidPhaseGate;
let cut2: MidPhaseGate;

before(async () => {
  pool = await createHostPool({ hosts: 3, claudeBinary: claudeBinaryPath() });
  cut1 = new MidPhaseGate(pool, 'h1');
  cut2 = new MidPhaseGate(pool, 'h2');
  root = await fleetProject(pool, CHUNKS);
  const brain = new ScriptedBrain();
  server = await startScriptedModelServer(async (req) => {
    await cut1.pass(req);
    await cut2.pass(req);
    return brain.reply(req);
  });
  relay = await relayToHosts(pool.gateway, Number(new URL(server.url).port));
  ve = veAsDaemon(pool, root, {
    ANTHROPIC_BASE_URL: relay.url,
    ANTHROPIC_API_KEY: 'sk-ant-ve-fleet-test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    // a host that is back is seen within half a second; a healthy one is pinged every 5 s
    VE_HOST_CHECK_MS: '5000,500',
  });
  measure('setup (three hosts, their Claude Code copies, the project)', started);
});

after(async () => {
  cut1?.release();
  cut2?.release();
  if (ve) await ve('orch', 'stop').catch((e: unknown) => console.log(`stop: ${String(e)}`));
  // what the daemon found worth a warning or an error, for whoever reads a failed run
  if (root && existsSync(join(root, '.ve', 'orchestrator.log')))
    for (const line of readFileSync(join(root, '.ve', 'orchestrator.log'), 'utf8').split('\n'))
      if (/"level":"(warn|error)"/.test(line)) console.log(`daemon: ${line.slice(0, 600)}`);
  await relay?.close();
  await server?.close();
  await pool?.teardown();
});

describe('nine chunks across three ssh hosts, one host cut and back, one lost for good', () => {
  it('lands every chunk on base; a cut host resumes its units; a removed host’s units finish elsewhere', async () => {
    const api = socketApi(root);
    const git = gitAsDaemon(pool, root);
    await ve('orch', 'start');
    await ve('orch', 'config', '--max-agents', '6');
    await ve('orch', 'hosts', 'drain', 'local');
    for (const h of pool.hosts) {
      const out = await ve(
        'orch',
        'hosts',
        'add',
        h.name,
        '--ssh',
        h.name,
        '--slots',
        '2',
        '--workdir',
        've-work',
        '--claude',
        h.claudePath as string,
      );
      assert.match(out, new RegExp(`Host ${h.name} added \\(2 slots\\)\\.\\n${h.name}: ok`), out);
      assert.match(out, /claude +\d+\.\d+\.\d+/, 'the check names Claude Code’s version');
    }
    const listed = JSON.parse(await ve('orch', 'hosts', 'list', '--json')) as HostListDto;
    assert.deepEqual(
      listed.hosts.map((h) => [h.name, h.state, h.health]),
      [
        ['local', 'draining', 'ok'],
        ['h1', 'active', 'ok'],
        ['h2', 'active', 'ok'],
        ['h3', 'active', 'ok'],
      ],
    );
    assert.equal(
      await ve('orch', 'hosts', 'set', 'h3', '--slots', '3'),
      'Host h3 runs up to 3 agent(s) (0 running now).\n',
    );
    const resized = JSON.parse(await ve('orch', 'hosts', 'set', 'h3', '--slots', '2', '--json')) as HostDto;
    assert.deepEqual([resized.name, resized.slots, resized.slots_total], ['h3', 2, 2]);

    // ---- 1. h1's sshd dies mid-phase, and comes back
    cut1.arm();
    const t0 = Date.now();
    await ve('orch', 'inject', ...CHUNKS, '--phase', 'IMPLEMENT');
    const victim = await cut1.reached;
    const h1 = pool.hosts[0]!;
    await pool.killSshd(h1);
    cut1.release();
    const waiting = await api.waitFor<WorkUnitDto>(
      `/api/work-units/${victim}`,
      (u) => u.status === 'READY' && u.fetch_pending,
    );
    assert.equal(waiting.host, 'h1');
    assert.equal(waiting.api_retry_count, 0, 'a host failure counts nothing against the agent');
    assert.equal(waiting.attention_kind, null, 'and raises nothing for the operator');
    const status = JSON.parse(await ve('orch', 'status', '--json')) as StatusDto;
    assert.equal(status.hosts.find((h) => h.name === 'h1')?.health, 'unreachable');
    assert.match(
      await ve('orch', 'ps'),
      new RegExp(`${victim} +IMPLEMENT +READY +h1 \\(waiting: unreachable\\)`),
    );
    await pool.startSshd(h1);

    // ---- 2. h2 is lost for good mid-phase, and removed with its units reassigned
    cut2.arm();
    const lost = await cut2.reached;
    const h2 = pool.hosts[1]!;
    await pool.killSshd(h2);
    cut2.release();
    await api.waitFor<WorkUnitDto>(`/api/work-units/${lost}`, (u) => u.status === 'READY' && u.fetch_pending);
    const removed = await ve('orch', 'hosts', 'remove', 'h2', '--reassign');
    assert.match(removed, /Host h2 removed; its record stays until its old copies are stopped and deleted/);
    assert.match(removed, new RegExp(`${lost} \\(IMPLEMENT, READY\\) restarts on another host`));
    assert.match(removed, /lost: the IMPLEMENT work on h2 since .*\(not fetched: .*\), and its session/);

    const done = await api.waitFor<UnitListDto>(
      '/api/work-units',
      (l) => l.count === CHUNKS.length && l.work_units.every((u) => u.status === 'DONE'),
      240_000,
    );
    measure('nine chunks through IMPLEMENT, REVIEW and COMPLETE on three hosts, with both failures', t0);

    // every chunk landed once on base
    const tree = await git('ls-tree', '-r', '--name-only', 'main');
    const subjects = (await git('log', '--format=%s', 'main')).split('\n');
    const story = async (c: string) =>
      `${subjects.join('\n')}\n${JSON.stringify(await api.get(`/api/work-units/${c}/log?phase=COMPLETE`)).slice(0, 8000)}`;
    for (const c of CHUNKS) {
      assert.ok(tree.includes(`src/${c}.js`), `main has src/${c}.js`);
      if (subjects.filter((s) => s === `complete: ${c}`).length !== 1)
        assert.fail(`${c} did not land once:\n${await story(c)}`);
    }
    // the cut unit stayed on h1, resumed its session there, and its phase never ran twice at once
    const victimUnit = done.work_units.find((u) => u.chunk === victim)!;
    assert.deepEqual([victimUnit.host, victimUnit.host_epoch], ['h1', 1]);
    const vh = await api.get<HistoryDto>(`/api/work-units/${victim}/history`);
    const implement = vh.phase_runs.filter((r) => r.phase === 'IMPLEMENT');
    assert.equal(implement[0]?.outcome, 'host_lost');
    assert.equal(implement.at(-1)?.outcome, 'completed');
    assert.equal(implement.at(-1)?.session_id, implement[0]?.session_id, 'the same session resumed');
    assert.deepEqual(vh.attention, [], 'the operator was never asked');
    // the removed host's unit finished on another host, in a new placement
    const lostUnit = done.work_units.find((u) => u.chunk === lost)!;
    assert.ok(['h1', 'h3'].includes(lostUnit.host ?? ''), `${lost} finished on ${lostUnit.host}`);
    assert.ok(lostUnit.host_epoch >= 2);
    const lh = await api.get<HistoryDto>(`/api/work-units/${lost}/history`);
    assert.ok(
      lh.history.some((e) => e.event === 'reassign' && /lost: the IMPLEMENT work on h2/.test(e.reason ?? '')),
    );
    const author = await git('log', '-1', '--format=%an', `--grep=^implement ${lost}$`, 'main');
    assert.notEqual(author, h2.user, 'its landed work was done on its new host, not taken from h2');
    // no phase of any unit ever ran twice at once
    for (const c of CHUNKS) {
      const runs = (await api.get<HistoryDto>(`/api/work-units/${c}/history`)).phase_runs;
      for (let i = 1; i < runs.length; i++)
        assert.ok(
          Date.parse(runs[i]!.started_at) >= Date.parse(runs[i - 1]!.ended_at ?? ''),
          `${c}: run ${i} started before run ${i - 1} ended`,
        );
    }

    // ---- 3. h2 answers again: its stale copy is stopped and deleted, and its record goes
    await pool.startSshd(h2);
    await api.waitFor<HostListDto>('/api/hosts', (l) => !l.hosts.some((h) => h.name === 'h2'), 60_000);
    assert.equal(
      existsSync(join(h2.home, 've-work')) && existsSync(join(h2.home, 've-work', 'project')),
      false,
    );
    for (const h of pool.hosts) {
      const left = namespaceProcesses(h.namespace).filter(
        (p) => p.uid === h.uid && p.comm !== 'sshd' && p.state !== 'Z',
      );
      assert.deepEqual(left, [], `nothing of ve runs on ${h.name} any more`);
    }
    // the daemon warned only about the hosts it lost (tool checks refused, a finished unit's copy left
    // behind while one was away)
    const expected =
      /"msg":"(waiting for host|host unreachable)"|"msg":"(symlink check failed|copy of a finished or deleted unit left on its host)".*SshConnectionError/;
    const surprises = readFileSync(join(root, '.ve', 'orchestrator.log'), 'utf8')
      .split('\n')
      .filter((l) => /"level":"(warn|error)"/.test(l) && !expected.test(l));
    assert.deepEqual(surprises, []);
    measure('whole test', started);
  });
});
