/**
 * A checkout's dependency setup with real shell commands: the effective command, the package caches,
 * the stamp that keeps a finished setup from running twice, failures with their output, an interrupted
 * setup that runs again, and the background runs of the WorktreeDependencies port.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { projectPaths } from '../config/paths.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { isOrchError } from '../domain/errors.js';
import { silentLogger } from '../infra/json-logger.js';
import type { DependencyConfig } from '../ports/dependencies.js';
import { bwrapUnavailable } from '../process/bubblewrap.js';
import { readSetupState, writeSetupState } from './setup-state.js';
import { effectiveSetupCommand, prepareDependencies, WorktreeDependencies } from './worktree-deps.js';

const config = (more: Partial<DependencyConfig> = {}): DependencyConfig => ({
  setup_command: null,
  node_modules_sharing: DEFAULT_CONFIG.node_modules_sharing,
  agent_sandbox: 'off',
  ...more,
});

let root: string;
let checkout: string;
let count: string;
const paths = () => projectPaths(root);
const stateFile = () => paths().setupState('feat');
/** a setup command that appends a line to `count` per run */
const counting = (more = '') => `echo run >> ${JSON.stringify(count)}${more}`;
const runs = () => (existsSync(count) ? readFileSync(count, 'utf8').split('\n').filter(Boolean).length : 0);
const prepare = (c: DependencyConfig, signal?: AbortSignal) =>
  prepareDependencies(checkout, {
    config: c,
    paths: paths(),
    log: silentLogger,
    stateFile: stateFile(),
    ...(signal ? { signal } : {}),
  });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 've-deps-'));
  checkout = join(root, '.ve', 'chunks', 'feat', 'worktree');
  mkdirSync(checkout, { recursive: true });
  count = join(root, 'count.txt');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('effectiveSetupCommand', () => {
  it('detects npm ci in a git checkout that ignores node_modules, and declines it when it does not', async () => {
    const git = (...args: string[]) =>
      new Promise<void>((ok, fail) =>
        spawn('git', args, { cwd: checkout, stdio: 'ignore' }).on('exit', (c) =>
          c === 0 ? ok() : fail(new Error(`git ${args.join(' ')} exited ${c}`)),
        ),
      );
    await git('init', '-q');
    writeFileSync(join(checkout, 'package.json'), '{"name":"x","version":"1.0.0"}');
    writeFileSync(join(checkout, 'package-lock.json'), '{}');
    const declined = await effectiveSetupCommand(config(), checkout);
    assert.equal(declined.source, 'none');
    assert.match(declined.why, /node_modules is not ignored by git/);
    writeFileSync(join(checkout, '.gitignore'), 'node_modules\n');
    assert.deepEqual(await effectiveSetupCommand(config(), checkout), {
      source: 'detected',
      command: 'npm ci',
      why: 'detected from package-lock.json',
      steps: [{ tool: 'npm', command: 'npm ci', lockfile: 'package-lock.json', installs: 'node_modules' }],
    });
  });

  it('reads packageManager and the yarn.lock header', async () => {
    writeFileSync(join(checkout, 'package.json'), '{"packageManager":"yarn@4.2.0"}');
    writeFileSync(join(checkout, 'yarn.lock'), '# yarn lockfile v1\n');
    assert.equal((await effectiveSetupCommand(config(), checkout)).command, 'yarn install --immutable');
    writeFileSync(join(checkout, 'package.json'), '{ not json');
    assert.equal((await effectiveSetupCommand(config(), checkout)).command, 'yarn install --frozen-lockfile');
  });

  it('gives the configured command, or none when setup_command is off, without looking at the files', async () => {
    writeFileSync(join(checkout, 'go.mod'), 'module x\n');
    writeFileSync(join(checkout, 'go.sum'), '');
    assert.equal((await effectiveSetupCommand(config(), checkout)).command, 'go mod download');
    const configured = await effectiveSetupCommand(config({ setup_command: 'make deps' }), checkout);
    assert.deepEqual([configured.source, configured.command], ['configured', 'make deps']);
    const off = await effectiveSetupCommand(config({ setup_command: false }), checkout);
    assert.deepEqual([off.source, off.command], ['off', null]);
  });
});

describe('prepareDependencies', () => {
  it('runs in the checkout with the package caches of .ve/cache in its environment', async () => {
    const c = config({ setup_command: 'pwd > where.txt; echo "$npm_config_cache|$CARGO_HOME" > caches.txt' });
    const r = await prepare(c);
    assert.equal(r.ran, true);
    assert.equal(readFileSync(join(checkout, 'where.txt'), 'utf8').trim(), checkout);
    const cache = paths().cacheDir;
    assert.equal(readFileSync(join(checkout, 'caches.txt'), 'utf8').trim(), `${cache}/npm|${cache}/cargo`);
    assert.ok(existsSync(cache), 'the cache folder exists for the sandbox to mount');
  });

  it('confines the setup to the checkout and the caches when agents run in the OS sandbox', async () => {
    const command = 'echo in > inside.txt && touch "$npm_config_cache-ok" && touch ../escaped.txt';
    const escaped = join(checkout, '..', 'escaped.txt');
    const missing = await bwrapUnavailable();
    await assert.rejects(prepare(config({ setup_command: command, agent_sandbox: 'on' })), (e: unknown) => {
      assert.match(String(e), missing === null ? /Read-only file system/ : /bubblewrap/);
      return true;
    });
    assert.equal(existsSync(escaped), false, 'nothing was written outside');
    if (missing === null) {
      assert.equal(readFileSync(join(checkout, 'inside.txt'), 'utf8'), 'in\n');
      assert.ok(existsSync(`${paths().cacheDir}/npm-ok`), 'the cache is writable');
    }
    // the same setup without the sandbox writes where it likes: the check above can fail
    await prepare(config({ setup_command: command, agent_sandbox: 'off' }));
    assert.equal(existsSync(escaped), true);
  });

  it('does not run again for the same lockfiles and worktree, and does when either changed', async () => {
    writeFileSync(join(checkout, 'requirements.txt'), 'requests==2.0\n');
    const c = config({ setup_command: counting() });
    assert.equal((await prepare(c)).ran, true);
    assert.equal((await prepare(c)).ran, false);
    assert.equal(runs(), 1);
    assert.equal(readSetupState(stateFile(), silentLogger)?.state, 'done');
    writeFileSync(join(checkout, 'requirements.txt'), 'requests==2.1\n');
    assert.equal((await prepare(c)).ran, true, 'a changed lockfile runs it again');
    // the same path, a new worktree (removed and created again, as after a delete and re-inject)
    rmSync(checkout, { recursive: true });
    mkdirSync(checkout);
    writeFileSync(join(checkout, 'requirements.txt'), 'requests==2.1\n');
    assert.equal((await prepare(c)).ran, true, 'a new worktree runs it again');
    assert.equal((await prepare(config({ setup_command: counting(' # other') }))).ran, true);
    assert.equal(runs(), 4);
  });

  it('fails with the tail of the output and leaves no stamp, so the next call runs it again', async () => {
    const c = config({ setup_command: `${counting()}; echo installing; echo "E404 left-pad" >&2; exit 3` });
    await assert.rejects(prepare(c), (e: unknown) => {
      assert.ok(isOrchError(e, 'git_failed'));
      assert.match(e.message, /exited 3/);
      assert.match(e.message, /installing\nE404 left-pad/);
      return true;
    });
    assert.equal(existsSync(stateFile()), false);
    await assert.rejects(prepare(c));
    assert.equal(runs(), 2);
  });

  it('runs again after a setup an earlier daemon left running, and kills that one first', async () => {
    const command = counting('; sleep 30');
    // as a daemon killed mid-setup leaves it: the stamp says running, its process group lives on
    const orphan = spawn('/bin/sh', ['-c', command], { detached: true, stdio: 'ignore' });
    const exited = new Promise<string | null>((ok) => orphan.on('exit', (_code, signal) => ok(signal)));
    await waitForRun(1);
    writeSetupState(stateFile(), {
      state: 'running',
      command,
      worktree_id: 'gone',
      pid: orphan.pid ?? null,
      started_at: new Date().toISOString(),
    });
    const again = new AbortController();
    const second = prepare(config({ setup_command: command }), again.signal);
    assert.equal(await exited, 'SIGKILL', 'the orphan was killed');
    await waitForRun(2);
    assert.equal(readSetupState(stateFile(), silentLogger)?.state, 'running');
    again.abort();
    await assert.rejects(second, /was stopped/);
  });
});

describe('WorktreeDependencies', () => {
  let deps: WorktreeDependencies;
  beforeEach(() => {
    deps = new WorktreeDependencies(paths(), silentLogger);
  });
  afterEach(() => deps.stop());
  const never = new AbortController().signal;

  it('runs one setup for a start and the ready that follows it', async () => {
    const c = config({ setup_command: counting() });
    deps.start('feat', checkout, c);
    deps.start('feat', checkout, c);
    assert.deepEqual(await deps.ready('feat', checkout, c, never), { kind: 'ready' });
    assert.deepEqual(await deps.ready('feat', checkout, c, never), { kind: 'ready' });
    assert.equal(runs(), 1);
  });

  it('stops waiting when the signal fires, and the setup goes on for the next wait', async () => {
    const gate = join(root, 'go');
    const c = config({
      setup_command: `until [ -e ${JSON.stringify(gate)} ]; do sleep 0.02; done; ${counting()}`,
    });
    const waiting = new AbortController();
    const first = deps.ready('feat', checkout, c, waiting.signal);
    waiting.abort();
    assert.deepEqual(await first, { kind: 'aborted' });
    writeFileSync(gate, '');
    assert.deepEqual(await deps.ready('feat', checkout, c, never), { kind: 'ready' });
    assert.equal(runs(), 1, 'the wait after the abort joined the same run');
  });

  it('reports a failure of a background run once, then runs the setup again', async () => {
    const c = config({ setup_command: `${counting()}; echo broken >&2; exit 1` });
    deps.start('feat', checkout, c);
    const failed = await deps.ready('feat', checkout, c, never);
    assert.equal(failed.kind, 'failed');
    assert.match(failed.kind === 'failed' ? failed.message : '', /exited 1:\nbroken/);
    assert.equal(runs(), 1, 'ready reported the background failure without running it again');
    assert.equal((await deps.ready('feat', checkout, c, never)).kind, 'failed');
    assert.equal(runs(), 2);
  });

  it('kills running setups on stop and leaves them to run again', async () => {
    const c = config({ setup_command: `${counting()}; sleep 30` });
    deps.start('feat', checkout, c);
    await waitForRun(1);
    await deps.stop();
    assert.equal(existsSync(stateFile()), false, 'no stamp: the next dispatch runs it again');
  });
});

/** Resolves once the counting command has started `n` times (it writes before it blocks). */
async function waitForRun(n: number): Promise<void> {
  if (runs() >= n) return;
  await new Promise<void>((ok) => {
    const w = watch(root, () => {
      if (runs() >= n) {
        w.close();
        ok();
      }
    });
    if (runs() >= n) {
      w.close();
      ok();
    }
  });
}
