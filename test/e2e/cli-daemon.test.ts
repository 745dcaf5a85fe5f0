/**
 * The real CLI driving the real daemon in a temporary git repository: start/status/stop, a second
 * start, config applied at once, inject with dependencies, ps/queue order, prioritize, delete,
 * tail of a live phase, restart keeping state, and a start after kill -9. The agent is a stand-in
 * Claude Code executable that keeps every phase running, so statuses hold still while we look.
 * The steps share one daemon and run in order.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UnitListDto, UnitPageDto, WorkUnitDto } from '../../src/api/dto.js';
import { isProcessAlive } from '../../src/cli/daemon-process.js';
import { runVe } from '../support/cli.js';
import { writeHangingClaude } from '../support/hanging-claude.js';
import { makeTempRepo, type TempRepo } from '../support/temp-repo.js';

const START_LINE =
  /^Orchestrator started \(pid (\d+)\)\nDashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w%-]+)\n$/;

describe('ve orch with a real daemon', { timeout: 180_000 }, () => {
  let repo: TempRepo;
  let fixtures: string;
  let env: NodeJS.ProcessEnv;
  let pid = 0;
  const ve = (...args: string[]) => runVe(args, { cwd: repo.root, env });
  const units = async () => (JSON.parse((await ve('orch', 'ps', '--json')).stdout) as UnitListDto).work_units;

  /** Polls `ps --json` until `check` holds (the scheduler works asynchronously). */
  async function waitForUnits(check: (u: WorkUnitDto[]) => boolean, what: string): Promise<WorkUnitDto[]> {
    let last: WorkUnitDto[] = [];
    for (let i = 0; i < 100; i++) {
      last = await units();
      if (check(last)) return last;
      await sleep(100);
    }
    assert.fail(`timed out waiting for ${what}: ${JSON.stringify(last.map((u) => [u.chunk, u.status]))}`);
  }

  before(() => {
    repo = makeTempRepo();
    fixtures = mkdtempSync(join(tmpdir(), 've-fixtures-'));
    env = { VE_CLAUDE_PATH: writeHangingClaude(fixtures) };
    const plan = 'Change the code.';
    repo.writeChunk('alpha', { status: 'IMPLEMENTING', depends_on: [], approach: plan });
    repo.writeChunk('beta', { status: 'IMPLEMENTING', depends_on: ['alpha'], approach: plan });
    repo.writeChunk('gamma', { status: 'IMPLEMENTING', depends_on: [], approach: plan });
    repo.writeChunk('delta', { status: 'IMPLEMENTING', depends_on: [], approach: plan });
    repo.writeFile('.gitignore', '.ve/\n');
    repo.commitAll('chunks');
  });
  after(async () => {
    await ve('orch', 'stop');
    repo.cleanup();
    rmSync(fixtures, { recursive: true, force: true });
  });

  it('starts, reports its status and URL, and refuses a second start', async () => {
    const start = await ve('orch', 'start');
    assert.equal(start.code, 0, start.stderr);
    const m = START_LINE.exec(start.stdout);
    assert.ok(m, start.stdout);
    pid = Number(m[1]);
    assert.equal(statSync(join(repo.root, '.ve', 'orchestrator.sock')).mode & 0o777, 0o600);
    const status = await ve('orch', 'status');
    assert.match(status.stdout, /^Status: Running\nPID: \d+\n/);
    assert.ok(status.stdout.includes(`PID: ${pid}`), status.stdout);
    assert.ok(status.stdout.includes(`Dashboard: ${m[2]}`));
    const json = JSON.parse((await ve('orch', 'status', '--json')).stdout);
    assert.equal(json.running, true);
    assert.equal(json.pid, pid);
    const second = await ve('orch', 'start');
    assert.equal(second.code, 1);
    assert.equal(second.stderr, `ve: already running (pid ${pid})\n`);
    assert.equal((await ve('orch', 'url')).stdout, `${m[2]}\n`);
    assert.deepEqual(JSON.parse((await ve('orch', 'url', '--json')).stdout), { url: m[2] });
  });

  it('applies a config change to the running daemon at once', async () => {
    const set = await ve('orch', 'config', '--max-agents', '1', '--model', 'none');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /max_agents\s+1\s+\(changed\)/);
    const shown = JSON.parse((await ve('orch', 'config', '--json')).stdout);
    assert.equal(shown.max_agents, 1);
    assert.equal(shown.model, null);
    const other = await ve('orch', 'config', '--max-turns', '50', '--json');
    assert.equal(other.code, 0, other.stderr);
    assert.equal(JSON.parse(other.stdout).max_turns, 50);
    assert.equal(JSON.parse(other.stdout).max_agents, 1, 'a later change keeps the keys it does not name');
    const bad = await ve('orch', 'config', '--max-agents', '0');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^ve: --max-agents: /);
  });

  it('injects a batch in dependency order and rejects a bad one whole', async () => {
    const res = await ve('orch', 'inject', 'beta', 'delta', 'alpha', 'gamma');
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 5, res.stdout);
    const order = lines.slice(0, 4).map((l) => /^Injected: (\w+) \[\w+\] priority=0/.exec(l)?.[1]);
    assert.ok(order.indexOf('alpha') < order.indexOf('beta'), res.stdout);
    assert.ok(
      lines.some((l) => /^Injected: beta \[\w+\] priority=0 blocked_by=\[alpha\]$/.test(l)),
      res.stdout,
    );
    assert.equal(lines[4], 'Injected 4 chunks in dependency order');
    const again = await ve('orch', 'inject', 'gamma');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^ve: .*gamma/);
    const ghost = await ve('orch', 'inject', 'ghost');
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /^ve: .*ghost/);
    assert.equal((await units()).length, 4);
  });

  it('lists units and the ready queue, and reorders it by priority', async () => {
    const list = await waitForUnits(
      (u) => u.filter((x) => x.status === 'RUNNING').length === 1,
      'one RUNNING unit',
    );
    const running = list.find((u) => u.status === 'RUNNING')!;
    const beta = list.find((u) => u.chunk === 'beta')!;
    assert.equal(beta.status, 'BLOCKED');
    const ps = await ve('orch', 'ps');
    assert.match(ps.stdout, /^CHUNK\s+PHASE\s+STATUS\s+BLOCKED-BY\s+COST\n/);
    assert.match(ps.stdout, /beta\s+\w+\s+BLOCKED\s+alpha\s+\$/);
    assert.match(ps.stdout, new RegExp(`${running.chunk}\\s+\\w+\\s+RUNNING`));
    const blocked = JSON.parse(
      (await ve('orch', 'ps', '--status', 'blocked', '--json')).stdout,
    ) as UnitListDto;
    assert.deepEqual(
      blocked.work_units.map((u) => u.chunk),
      ['beta'],
    );
    const queue = (JSON.parse((await ve('orch', 'queue', '--json')).stdout) as UnitListDto).work_units.map(
      (u) => u.chunk,
    );
    assert.equal(queue.length, 2, `queue: ${queue}`);
    const last = queue[1]!;
    const prio = await ve('orch', 'prioritize', last, '5');
    assert.equal(prio.stdout, `${last}: priority set to 5\n`);
    const reordered = await ve('orch', 'queue');
    assert.match(
      reordered.stdout,
      new RegExp(`^#\\s+CHUNK\\s+PHASE\\s+PRIORITY\\n1\\s+${last}\\s+\\w+\\s+5\\n2\\s+${queue[0]}\\s`),
    );
  });

  it('pages ps with --limit and --after, and its last line runs as the next page', async () => {
    const all = (await units()).map((u) => u.chunk);
    assert.equal(all.length, 4);
    const first = JSON.parse((await ve('orch', 'ps', '--limit', '3', '--json')).stdout) as UnitPageDto;
    assert.deepEqual(
      first.work_units.map((u) => u.chunk),
      all.slice(0, 3),
    );
    assert.deepEqual([first.count, first.total, first.next_after], [3, 4, all[2]]);
    const table = (await ve('orch', 'ps', '--limit', '3')).stdout.trimEnd().split('\n');
    assert.equal(table.length, 5, table.join('\n'));
    const hint = `ve orch ps --limit 3 --after ${all[2]}`;
    assert.equal(table[4], `… 1 more: ${hint}`);
    const next = await ve(...hint.split(' ').slice(1));
    assert.equal(next.code, 0, next.stderr);
    const rows = next.stdout.trimEnd().split('\n');
    assert.equal(rows.length, 2, next.stdout);
    assert.match(rows[1]!, new RegExp(`^${all[3]}\\s`));
    const active = JSON.parse((await ve('orch', 'ps', '--active', '--json')).stdout) as UnitPageDto;
    assert.deepEqual([active.total, active.next_after], [4, null], 'no unit is DONE yet');
    const ghost = await ve('orch', 'ps', '--limit', '2', '--after', 'ghost');
    assert.equal(ghost.code, 1);
    assert.equal(ghost.stderr, "ve: work unit 'ghost' not found\n");
  });

  it('shows, audits and deletes single units', async () => {
    const show = await ve('orch', 'work-unit', 'show', 'beta');
    assert.match(show.stdout, /Blocked by:\s+alpha/);
    assert.match(show.stdout, /Cost:\s+\$0\.00/);
    const missing = await ve('orch', 'work-unit', 'show', 'nothere');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^ve: .*nothere.*not found/);
    const ready = (await units()).find((u) => u.status === 'READY')!;
    const del = await ve('orch', 'work-unit', 'delete', ready.chunk);
    assert.equal(del.stdout, `Deleted work unit: ${ready.chunk}\n`);
    assert.ok(!(await units()).some((u) => u.chunk === ready.chunk));
    const history = await ve('orch', 'work-unit', 'history', 'beta');
    assert.match(history.stdout, /^History of beta\n\nStatus changes:\n/);
  });

  it('tails the running phase log', async () => {
    const running = (await units()).find((u) => u.status === 'RUNNING')!;
    let tail = await ve('orch', 'tail', running.chunk);
    for (let i = 0; i < 50 && !tail.stdout.includes('hanging-claude is working'); i++) {
      await sleep(100);
      tail = await ve('orch', 'tail', running.chunk);
    }
    assert.match(tail.stdout, new RegExp(`^=== ${running.phase} ===`));
    assert.match(tail.stdout, /hanging-claude is working/);
  });

  it('stops, removes its runtime files, and keeps state across a restart', async () => {
    const before = await units();
    const urlBefore = (await ve('orch', 'url')).stdout;
    const stop = await ve('orch', 'stop');
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, 'Orchestrator stopped\n');
    for (const f of ['orchestrator.pid', 'orchestrator.port', 'orchestrator.sock']) {
      assert.equal(existsSync(join(repo.root, '.ve', f)), false, f);
    }
    assert.equal(isProcessAlive(pid), false);
    assert.equal((await ve('orch', 'status')).stdout, 'Status: Stopped\n');
    const start = await ve('orch', 'start');
    assert.equal(start.code, 0, start.stderr);
    pid = Number(START_LINE.exec(start.stdout)?.[1]);
    const after = await units();
    assert.deepEqual(
      after.map((u) => [u.chunk, u.priority]).sort(),
      before.map((u) => [u.chunk, u.priority]).sort(),
    );
    assert.equal(JSON.parse((await ve('orch', 'config', '--json')).stdout).max_agents, 1);
    assert.equal(
      (await ve('orch', 'url')).stdout,
      urlBefore,
      'same port and token, so open dashboards reconnect',
    );
  });

  it('starts again after the daemon was killed with SIGKILL', async () => {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && isProcessAlive(pid); i++) await sleep(50);
    assert.equal(isProcessAlive(pid), false);
    assert.equal((await ve('orch', 'status')).stdout, 'Status: Stopped\n');
    const start = await ve('orch', 'start');
    assert.equal(start.code, 0, start.stderr);
    const newPid = Number(START_LINE.exec(start.stdout)?.[1]);
    assert.notEqual(newPid, pid);
    pid = newPid;
    await waitForUnits(
      (u) => u.length === 3 && u.filter((x) => x.status === 'RUNNING').length <= 1,
      'recovered units',
    );
    const stop = await ve('orch', 'stop');
    assert.equal(stop.stdout, 'Orchestrator stopped\n');
  });
});
