/**
 * The real compiled CLI, as a child process, on commands that need no daemon: init, chunk
 * create/list/show (with hostile input), project-root resolution, and the daemon-down answers.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVe } from '../support/cli.js';
import { makeTempRepo, type TempRepo } from '../support/temp-repo.js';

describe('ve init and ve chunk (real CLI)', () => {
  let repo: TempRepo;
  before(() => {
    repo = makeTempRepo();
  });
  after(() => repo.cleanup());

  it('initializes once and is idempotent', async () => {
    const first = await runVe(['init'], { cwd: repo.root });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created docs\/chunks\//);
    assert.ok(existsSync(join(repo.root, 'docs', 'chunks')));
    assert.match(repo.readFile('.gitignore'), /^\.ve\/$/m);
    const again = await runVe(['init', '--json'], { cwd: repo.root });
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.stdout), {
      root: repo.root,
      created_chunks_dir: false,
      added_ignore: false,
      suggested_verify_command: null,
    });
    assert.match(first.stdout, /Landings are not verified yet/);
  });

  it('suggests the verify command the project already has, and how to set it', async () => {
    const project = makeTempRepo();
    try {
      project.writeFile('package.json', JSON.stringify({ scripts: { test: 'node --test' } }));
      const res = await runVe(['init'], { cwd: project.root });
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Suggested verify command: npm test {3}\(package\.json has a test script/);
      assert.match(res.stdout, /ve orch config --verify-command 'npm test'/);
      assert.match(res.stdout, /ve\.yaml with: verify_command: 'npm test'/);
      const json = JSON.parse((await runVe(['init', '--json'], { cwd: project.root })).stdout);
      assert.equal(json.suggested_verify_command.command, 'npm test');
    } finally {
      project.cleanup();
    }
  });

  it('creates chunk templates with status and depends_on', async () => {
    const res = await runVe(
      ['chunk', 'create', 'auth_login', 'docs/chunks/auth_logout/', '--future', '--depends-on', 'db,cache'],
      {
        cwd: repo.root,
      },
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Created docs\/chunks\/auth_login\//);
    assert.match(res.stdout, /Created docs\/chunks\/auth_logout\//);
    const goal = repo.readFile('docs/chunks/auth_login/GOAL.md');
    assert.match(goal, /^status: FUTURE$/m);
    assert.match(goal, /depends_on:\n\s+- db\n\s+- cache/);
    assert.ok(existsSync(join(repo.root, 'docs/chunks/auth_logout/PLAN.md')));
    const plain = await runVe(['chunk', 'create', 'billing', '--json'], { cwd: repo.root });
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(
      JSON.parse(plain.stdout).created.map((c: { name: string }) => c.name),
      ['billing'],
    );
    assert.match(repo.readFile('docs/chunks/billing/GOAL.md'), /^status: IMPLEMENTING$/m);
  });

  it('rejects hostile names with one line on stderr and writes nothing', async () => {
    for (const bad of ['../x', '/abs', 'A', 'ünïcode', 'a b', 'x'.repeat(40), '-rf']) {
      const res = await runVe(['chunk', 'create', '--', bad], { cwd: repo.root });
      assert.equal(res.code, 1, bad);
      assert.match(res.stderr, /^ve: invalid chunk name/, bad);
      assert.equal(res.stderr.trim().split('\n').length, 1, bad);
      assert.equal(res.stdout, '');
    }
    assert.equal(existsSync(join(repo.root, 'docs', 'x')), false);
    assert.equal(existsSync('/abs'), false);
    const badDep = await runVe(['chunk', 'create', 'okname', '--depends-on', '../etc'], { cwd: repo.root });
    assert.equal(badDep.code, 1);
    assert.equal(existsSync(join(repo.root, 'docs/chunks/okname')), false);
  });

  it('rejects hostile or empty host names before it asks the daemon', async () => {
    // an empty name once meant "check every host" (found by the CLI fuzz, seed 918014059)
    for (const argv of [
      ['orch', 'hosts', 'check', ''],
      ['orch', 'hosts', 'check', '../x'],
      ['orch', 'hosts', 'set', '', '--slots', '2'],
      ['orch', 'hosts', 'drain', 'A B'],
    ]) {
      const res = await runVe(argv, { cwd: repo.root });
      assert.equal(res.code, 1, argv.join(' '));
      assert.match(res.stderr, /^ve: invalid host name/, argv.join(' '));
      assert.equal(res.stderr.trim().split('\n').length, 1, argv.join(' '));
    }
  });

  it('refuses an existing chunk without creating any of the batch', async () => {
    const res = await runVe(['chunk', 'create', 'fresh_one', 'auth_login'], { cwd: repo.root });
    assert.equal(res.code, 1);
    assert.equal(res.stderr, "ve: chunk 'auth_login' already exists at docs/chunks/auth_login\n");
    assert.equal(existsSync(join(repo.root, 'docs/chunks/fresh_one')), false);
  });

  it('lists chunks, showing broken ones with their error instead of failing', async () => {
    repo.writeChunk('goodone', { status: 'IMPLEMENTING', depends_on: [], goal: 'Make the thing fast.' });
    repo.writeFile('docs/chunks/broken/GOAL.md', '---\nstatus: [unclosed\n---\nbody\n');
    repo.writeFile('docs/chunks/weird_status/GOAL.md', '---\nstatus: MAYBE\n---\nbody\n');
    repo.writeFile('docs/chunks/NotAName/GOAL.md', '---\nstatus: FUTURE\n---\n');
    mkdirSync(join(repo.root, 'docs/chunks/empty_dir'), { recursive: true });
    const res = await runVe(['chunk', 'list'], { cwd: repo.root });
    assert.equal(res.code, 0, res.stderr);
    const line = (name: string) => res.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    assert.match(line('goodone'), /IMPLEMENTING\s+-\s+Make the thing fast\./);
    assert.match(line('auth_login'), /FUTURE\s+db, cache/);
    assert.match(line('broken'), /ERROR\s+-\s+error: .*could not parse frontmatter/);
    assert.match(line('weird_status'), /ERROR.*unknown status "MAYBE"/);
    assert.match(line('NotAName'), /ERROR.*invalid chunk name/);
    assert.match(line('empty_dir'), /ERROR.*GOAL\.md is missing/);
    const json = await runVe(['chunk', 'list', '--status', 'future', '--json'], { cwd: repo.root });
    const parsed = JSON.parse(json.stdout) as { chunks: { name: string; status: string }[]; count: number };
    assert.deepEqual(
      parsed.chunks.map((c) => c.name),
      ['auth_login', 'auth_logout'],
    );
    assert.equal(parsed.count, 2);
  });

  it('shows one chunk, and fails clearly on a malformed or missing one', async () => {
    const res = await runVe(['chunk', 'show', 'goodone'], { cwd: repo.root });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Status:\s+IMPLEMENTING/);
    assert.match(res.stdout, /Summary:\s+Make the thing fast\./);
    assert.match(res.stdout, /--- PLAN.md ---/);
    const json = JSON.parse((await runVe(['chunk', 'show', 'goodone', '--json'], { cwd: repo.root })).stdout);
    assert.equal(json.status, 'IMPLEMENTING');
    assert.deepEqual(json.depends_on, []);
    const broken = await runVe(['chunk', 'show', 'broken'], { cwd: repo.root });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^ve: docs\/chunks\/broken\/GOAL\.md: could not parse frontmatter/);
    const missing = await runVe(['chunk', 'show', 'nothere'], { cwd: repo.root });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "ve: chunk 'nothere' not found\n");
  });

  it('finds the project root from a subdirectory and honours --project-dir', async () => {
    const sub = join(repo.root, 'docs', 'chunks', 'goodone');
    const fromSub = await runVe(['chunk', 'list', '--json'], { cwd: sub });
    assert.equal(fromSub.code, 0, fromSub.stderr);
    assert.ok(JSON.parse(fromSub.stdout).count >= 4);
    const outside = mkdtempSync(join(tmpdir(), 've-outside-'));
    try {
      const lost = await runVe(['chunk', 'list'], { cwd: outside });
      assert.equal(lost.code, 1);
      assert.match(lost.stderr, /^ve: no git repository found at or above .*pass --project-dir/);
      const pointed = await runVe(['chunk', 'show', 'goodone', '--project-dir', repo.root], { cwd: outside });
      assert.equal(pointed.code, 0, pointed.stderr);
      const nowhere = await runVe(['chunk', 'list', '--project-dir', join(outside, 'nope')], {
        cwd: outside,
      });
      assert.equal(nowhere.code, 1);
      assert.match(nowhere.stderr, /is not a directory/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('ve orch without a daemon (real CLI)', () => {
  let repo: TempRepo;
  before(() => {
    repo = makeTempRepo();
  });
  after(() => repo.cleanup());

  it('reports Stopped, not running, and no URL', async () => {
    const status = await runVe(['orch', 'status'], { cwd: repo.root });
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stdout, 'Status: Stopped\n');
    const json = JSON.parse((await runVe(['orch', 'status', '--json'], { cwd: repo.root })).stdout);
    assert.equal(json.running, false);
    assert.equal(json.pid, null);
    const stop = await runVe(['orch', 'stop'], { cwd: repo.root });
    assert.equal(stop.code, 0);
    assert.equal(stop.stdout, 'Orchestrator is not running\n');
    const url = await runVe(['orch', 'url'], { cwd: repo.root });
    assert.equal(url.code, 1);
    assert.equal(url.stderr, 've: the orchestrator daemon is not running. Start it with: ve orch start\n');
    const ps = await runVe(['orch', 'ps', '--json'], { cwd: repo.root });
    assert.equal(ps.code, 1);
    assert.equal(ps.stdout, '');
  });

  it('cleans up the runtime files of a dead daemon on stop', async () => {
    mkdirSync(join(repo.root, '.ve'), { recursive: true });
    for (const f of ['orchestrator.pid', 'orchestrator.port', 'orchestrator.sock']) {
      writeFileSync(join(repo.root, '.ve', f), f.endsWith('pid') ? '999999\n' : '1\n');
    }
    const stop = await runVe(['orch', 'stop'], { cwd: repo.root });
    assert.equal(stop.stdout, 'Orchestrator is not running\n');
    for (const f of ['orchestrator.pid', 'orchestrator.port', 'orchestrator.sock']) {
      assert.equal(existsSync(join(repo.root, '.ve', f)), false, f);
    }
  });

  it('refuses to start in a repository with no commits, before spawning anything', async () => {
    const empty = makeTempRepo({ commit: false });
    try {
      const res = await runVe(['orch', 'start'], { cwd: empty.root });
      assert.equal(res.code, 1);
      assert.match(
        res.stderr,
        /^ve: cannot start the orchestrator: the repository has no commits\. Make an initial commit/,
      );
      assert.equal(existsSync(join(empty.root, '.ve', 'orchestrator.log')), false);
    } finally {
      empty.cleanup();
    }
  });

  it('refuses to start outside a git repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 've-nogit-'));
    try {
      const res = await runVe(['orch', 'start', '--project-dir', dir], { cwd: dir });
      assert.equal(res.code, 1);
      assert.match(res.stderr, /is not a git repository/);
      assert.equal(existsSync(join(dir, '.ve')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
