/**
 * Property test for hostile input on every CLI command (issue 7 §3): generated argument lists run
 * through the real compiled `ve` against a real daemon in a temp repository. Exit code 0 or 1, never
 * a stack trace, a one-line error on failure, a hostile chunk name never accepted, nothing written
 * outside the project, and a rejected command changes nothing (read back through the API).
 * Seed and size: VE_FUZZ_SEED, VE_CLI_FUZZ_RUNS.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import type { HistoryDto, UnitListDto } from '../../src/api/dto.js';
import { normalizeChunkArg } from '../../src/domain/chunk-name.js';
import { runVe } from '../support/cli.js';
import { writeHangingClaude } from '../support/hanging-claude.js';
import { type RunningDaemon, startDaemon, viaSocket } from '../support/real-daemon.js';
import { commandSpecs, invocationArbitrary } from './cli-args.js';

const SEED = Number(process.env.VE_FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.VE_CLI_FUZZ_RUNS ?? 200);
/** started and stopped by the test itself; `tail -f` is left out by cli-args (it never ends) */
const SKIP = ['orch start', 'orch stop'];
const REAL = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'old', 'broken'];

describe('CLI fuzz: generated argument lists to every command', { timeout: 900_000 }, () => {
  let base: string;
  let root: string;
  let d: RunningDaemon;

  before(async () => {
    // base/ holds the project and nothing else that a command may touch: escapes land where we look
    base = realpathSync(mkdtempSync(join(tmpdir(), 've-clifuzz-')));
    root = join(base, 'repo');
    mkdirSync(join(base, 'plain'));
    makeRepo(root);
    const fixtures = join(base, 'fixtures');
    mkdirSync(fixtures);
    d = await startDaemon(root, { env: { VE_CLAUDE_PATH: writeHangingClaude(fixtures) } });
    const setup = async (method: string, path: string, body?: unknown) => {
      const res = await viaSocket(d.socket, method, path, body);
      assert.ok(res.status < 300, `${method} ${path}: ${res.text}`);
    };
    await setup('PATCH', '/api/config', { live_probe_interval_seconds: 0 });
    await setup('POST', '/api/work-units/inject', { chunks: ['alpha', 'beta', 'gamma', 'delta'] });
    await quiet();
  });

  after(async () => {
    await d?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  /** Units, their audit trails, config and conflicts, as the API reports them. */
  async function dbState(): Promise<string> {
    const get = async (path: string) => {
      const res = await viaSocket(d.socket, 'GET', path);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      return res.json<unknown>();
    };
    const units = (await get('/api/work-units')) as UnitListDto;
    const names = [...new Set([...REAL, ...units.work_units.map((u) => u.chunk as string)])].sort();
    const histories = await Promise.all(
      names.map(async (n) => {
        const res = await viaSocket(d.socket, 'GET', `/api/work-units/${n}/history`);
        return res.status === 200 ? res.json<unknown>() : res.status;
      }),
    );
    return JSON.stringify({
      units,
      histories,
      config: await get('/api/config'),
      conflicts: await get('/api/conflicts'),
    });
  }

  /**
   * Waits until the daemon has finished reacting to the last command: every free agent slot taken by a
   * READY unit, every RUNNING unit's phase started (worktree made, phase run open, session id known), and two
   * reads in a row the same. Polling alone is not enough: `git worktree add` can take longer than a poll.
   */
  async function quiet(): Promise<string> {
    let last = '';
    for (let i = 0; i < 100; i++) {
      const now = await dbState();
      if (now === last && settled(JSON.parse(now) as DbState)) return now;
      last = now;
      await sleep(100);
    }
    assert.fail(`the daemon did not settle within 10 s: ${last}`);
  }

  it(`exits 0 or 1 with a one-line error, accepts no hostile name and changes nothing when it refuses (seed ${SEED})`, async () => {
    const specs = commandSpecs(SKIP);
    assert.ok(specs.length >= 25, `only ${specs.length} commands found`);
    const arb = invocationArbitrary(specs, {
      real: REAL,
      escapes: [`${base}/abs-escape`, '../../../rel-escape', '../../x', '/'],
      projectDirs: [root, join(base, 'plain'), join(base, 'missing'), '.', '/nonexistent/ve'],
    });
    const codes = new Map<number | null, number>();
    let before = await dbState();
    let files = projectFiles();
    await fc.assert(
      fc.asyncProperty(arb, async ({ argv, chunkArgs }) => {
        const what = `ve ${argv.map((a) => JSON.stringify(a.length > 80 ? `${a.slice(0, 80)}…` : a)).join(' ')}`;
        const res = await runVe(argv, { cwd: root, timeoutMs: 60_000 });
        codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
        const out = `${what}\n→ ${res.code}\nstderr: ${res.stderr.slice(0, 500)}`;
        assert.ok(res.code === 0 || res.code === 1, out);
        assert.doesNotMatch(res.stderr + res.stdout, /\n\s+at .+[:(]/, `stack trace: ${out}`);
        assert.doesNotMatch(res.stderr, /unexpected error/, `internal error: ${out}`);
        if (res.code === 1) assert.match(res.stderr, /^ve: [^\n]+\n$/, `not one line: ${out}`);
        const hostile = chunkArgs.filter((n) => !normalizes(n));
        // help and version print and exit before any argument is read
        const informational = argv.some((a) => ['--help', '-h', '-V', '--version'].includes(a));
        if (hostile.length > 0 && !informational) assert.equal(res.code, 1, `accepted ${hostile}: ${out}`);
        assert.deepEqual(readdirSync(base).sort(), ['fixtures', 'plain', 'repo'], `wrote outside: ${out}`);
        const nowFiles = projectFiles();
        if (res.code === 1) {
          assert.equal(await dbState(), before, `refused but changed the database: ${out}`);
          assert.deepEqual(nowFiles, files, `refused but changed files: ${out}`);
        } else {
          for (const f of Object.keys(nowFiles)) {
            // chunk files, and what `ve init` lays down: the ignore line and docs/chunks/.gitkeep
            const written =
              /^(repo|plain)\/(docs\/chunks\/([a-z][a-z0-9_-]*\/(GOAL|PLAN)\.md|\.gitkeep)|\.gitignore)$/;
            if (nowFiles[f] !== files[f]) assert.match(f, written, `unexpected write: ${out}`);
          }
          before = await quiet();
        }
        files = nowFiles;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
    );
    // the run must have reached the commands' logic both ways
    assert.ok((codes.get(0) ?? 0) > RUNS / 10, `few successes: ${[...codes]}`);
    assert.ok((codes.get(1) ?? 0) > RUNS / 10, `few refusals: ${[...codes]}`);
  });

  /** path (from base) → size:mtime for every file a command could write: both projects, minus .git and .ve */
  function projectFiles(): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (['.git', '.ve', 'fixtures'].includes(name)) continue;
        const st = statSync(p, { bigint: true });
        if (st.isDirectory()) walk(p);
        else out[relative(base, p)] = `${st.size}:${st.mtimeNs}`;
      }
    };
    walk(base);
    return out;
  }
});

interface DbState {
  units: UnitListDto;
  histories: (HistoryDto | number)[];
  config: { max_agents: number };
}

function settled(s: DbState): boolean {
  const units = s.units.work_units;
  const running = units.filter((u) => u.status === 'RUNNING');
  const waiting = units.filter((u) => u.status === 'READY' && u.next_retry_at === null);
  if (running.length < s.config.max_agents && waiting.length > 0) return false;
  const runs = new Map(
    s.histories.flatMap((h) => (typeof h === 'number' ? [] : [[h.chunk, h.phase_runs] as const])),
  );
  // the session id arrives with the agent's first message, seconds after the phase run opens under load
  return running.every(
    (u) =>
      u.worktree !== null &&
      u.session_id !== null &&
      (runs.get(u.chunk) ?? []).some((r) => r.ended_at === null),
  );
}

function normalizes(name: string): boolean {
  try {
    normalizeChunkArg(name);
    return true;
  } catch {
    return false;
  }
}

function makeRepo(root: string): void {
  const chunk = (name: string, status: string, deps = '[]') => {
    const dir = join(root, 'docs', 'chunks', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'GOAL.md'),
      `---\nstatus: ${status}\ndepends_on: ${deps}\n---\n# Goal\n\n## Minor Goal\n\nDo ${name}.\n`,
    );
    writeFileSync(join(dir, 'PLAN.md'), '# Plan\n\n## Approach\n\nChange it.\n');
  };
  mkdirSync(root);
  for (const n of ['alpha', 'beta', 'gamma', 'epsilon']) chunk(n, 'IMPLEMENTING');
  chunk('delta', 'IMPLEMENTING', '[alpha]');
  chunk('old', 'HISTORICAL');
  mkdirSync(join(root, 'docs', 'chunks', 'broken'));
  writeFileSync(join(root, 'docs', 'chunks', 'broken', 'GOAL.md'), '---\nstatus: [oops\n---\n');
  writeFileSync(join(root, '.gitignore'), '.ve/\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 've test');
  git('config', 'user.email', 've-test@example.invalid');
  git('add', '-A');
  git('commit', '-q', '-m', 'chunks');
}
