/**
 * Issue 11 §4 end to end: a real npm project whose tests need a dependency, run through the real
 * daemon and the real Claude Code binary (only the model is scripted), with the OS sandbox on. The
 * setup is detected (`npm ci`), runs offline from the project's cache before IMPLEMENT, and the agent's
 * sandboxed shell runs `npm test` and `npm install <tarball>` through the cache in `.ve/cache`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { osSandboxUnavailable } from '../../src/agents/claude/os-sandbox.js';
import type { UnitListDto } from '../../src/api/dto.js';
import { createChunk, initProject } from '../../src/chunks/templates.js';
import {
  envForScriptedModel,
  type MessagesRequest,
  startScriptedModelServer,
  toolResultFor,
} from '../../src/demo/scripted-model-server.js';
import type { VerifyRun } from '../../src/ports/train.js';
import { runVe } from '../support/cli.js';
import { DEPS_STEPS, DepsBrain } from '../support/deps-brain.js';
import { fillNpmCache, makeTarball, writeOfflineNpmProject } from '../support/offline-npm.js';
import { socketApi } from '../support/socket-api.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
let stopDaemon: () => Promise<unknown> = async () => {};
after(() => stopDaemon());

/** A git project that depends on ve-dep-a (in its npm cache only) and tests it with `node --test`. */
async function makeProject(): Promise<{ root: string; tarballB: string }> {
  const root = mkdtempSync(join(tmpdir(), 've-deps-e2e-'));
  const tarballs = join(mkdtempSync(join(tmpdir(), 've-deps-tarballs-')), 'dist');
  const a = makeTarball(tarballs, 've-dep-a', '1.0.0', { 'index.js': 'exports.answer = () => 42;\n' });
  const b = makeTarball(tarballs, 've-dep-b', '1.0.0', { 'index.js': 'exports.twice = (n) => 2 * n;\n' });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 've test');
  git(root, 'config', 'user.email', 've-test@example.invalid');
  writeOfflineNpmProject(root, [a], { scripts: { test: 'node --test' } });
  mkdirSync(join(root, 'test'));
  writeFileSync(
    join(root, 'test', 'answer.test.js'),
    "const assert = require('node:assert');\nconst { test } = require('node:test');\n" +
      "test('the dependency answers', () => assert.equal(require('ve-dep-a').answer(), 42));\n",
  );
  await initProject(root);
  const dir = await createChunk(root, 'use_dep', { future: true, dependsOn: [] });
  const goal = join(dir, 'GOAL.md');
  const text = readFileSync(goal, 'utf8');
  writeFileSync(goal, text.replace(/(## Minor Goal\n\n)<!--[\s\S]*?-->/, '$1Use ve-dep-b next to ve-dep-a.'));
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'an npm project whose tests need ve-dep-a');
  // offline: ve-dep-a exists only in the project's package cache, which ve hands to setup and agents
  fillNpmCache(join(root, '.ve', 'cache', 'npm'), [a]);
  return { root, tarballB: b.file };
}

describe('dependencies in the OS sandbox (real Claude Code, scripted model)', { timeout: 600_000 }, () => {
  it('detects npm ci, runs it before IMPLEMENT, and the sandboxed agent tests and installs through the cache', async () => {
    assert.equal(await osSandboxUnavailable(), null, 'this test needs bubblewrap and socat');
    const { root, tarballB } = await makeProject();
    const home = mkdtempSync(join(tmpdir(), 've-home-'));
    const brain = new DepsBrain({ tarball: tarballB });
    const server = await startScriptedModelServer((req) => brain.reply(req));
    // started as from `npm test` in another package, whatever runs this file: an npm script exports
    // its own config, and this one would make the agent's `npm install` drop the lockfile's resolved
    // URLs, so the next offline `npm ci` fails (the daemon drops them; domain/launcher-env.ts)
    const launcher = {
      npm_lifecycle_event: 'test',
      npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
      npm_config_omit_lockfile_registry_resolved: 'true',
      npm_config_local_prefix: mkdtempSync(join(tmpdir(), 've-launcher-')),
    };
    const env = { ...envForScriptedModel(server.url, home), ...launcher, CLAUDE_CODE_MAX_RETRIES: '0' };
    const ve = async (...args: string[]) => {
      const { code, stdout, stderr } = await runVe([...args, '--project-dir', root], { cwd: root, env });
      assert.equal(code, 0, `ve ${args.join(' ')}: ${stderr}`);
      return stdout;
    };
    stopDaemon = () => ve('orch', 'stop').finally(() => server.close());
    // the daemon inherits this process's environment: node's test runner marks its children, and
    // the agent's own `node --test` would then refuse to run as a nested test run
    delete process.env.NODE_TEST_CONTEXT;
    await ve('orch', 'start');
    // landings verified by the project's own tests, which need the dependency too (issue 10 + 11 §4)
    await ve('orch', 'config', '--agent-sandbox', 'on', '--verify-command', 'npm test');
    const status = await ve('orch', 'status');
    assert.match(status, /Setup: npm ci \(detected from package-lock\.json\)/);
    assert.match(status, /Agent sandbox: OS sandbox under shell commands/);
    await ve('orch', 'inject', 'use_dep');
    const api = socketApi(root);
    const end = await api.waitFor<UnitListDto>(
      '/api/work-units',
      (u) => u.work_units.every((w) => w.status === 'DONE' || w.status === 'NEEDS_ATTENTION'),
      300_000,
    );
    const unit = end.work_units[0];
    assert.equal(unit?.status, 'DONE', `${unit?.attention_kind}: ${unit?.attention_reason}`);

    const result = (id: string) => {
      const r = server
        .messageRequests()
        .map((req: MessagesRequest) => toolResultFor(req, id))
        .find((x) => x !== undefined);
      assert.ok(r, `the model saw the result of ${id}`);
      return r;
    };
    // the sandboxed `npm test` found ve-dep-a, which the detected setup installed before IMPLEMENT
    const tested = result(DEPS_STEPS.test);
    assert.equal(tested.is_error, false, tested.text);
    assert.match(tested.text, /# pass 1/);
    // npm's default cache (~/.npm) is out of the sandbox's reach (read-only, or not even there)…
    const outside = result(DEPS_STEPS.defaultCache);
    assert.equal(outside.is_error, true, outside.text);
    assert.match(outside.text, /EROFS|read-only file system|ENOENT[\s\S]*mkdir/i);
    assert.equal(existsSync(join(home, '.npm')), false);
    // …and can through the project's cache
    const installed = result(DEPS_STEPS.install);
    assert.equal(installed.is_error, false, installed.text);
    assert.match(installed.text, /added 1 package/);
    const indexDir = join(root, '.ve', 'cache', 'npm', '_cacache', 'index-v5');
    const entries = readdirSync(indexDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'));
    assert.ok(
      entries.some((e) => e.includes('ve-dep-b')),
      'the tarball went into .ve/cache/npm',
    );
    assert.equal(result(DEPS_STEPS.commit).is_error, false, result(DEPS_STEPS.commit).text);

    // the new dependency landed on main with the lockfile; node_modules did not
    const manifest = JSON.parse(git(root, 'show', 'main:package.json'));
    assert.match(manifest.dependencies['ve-dep-b'] ?? '', /ve-dep-b-1\.0\.0\.tgz$/);
    assert.match(git(root, 'show', 'main:package-lock.json'), /"node_modules\/ve-dep-b"/);
    assert.doesNotMatch(git(root, 'ls-tree', '-r', '--name-only', 'main'), /node_modules/);

    // the daemon's log: the setup finished before IMPLEMENT's session started, from the shared template
    const log = readFileSync(join(root, '.ve', 'orchestrator.log'), 'utf8').split('\n');
    const at = (pred: (l: string) => boolean) => log.findIndex(pred);
    const setupDone = at((l) => l.includes('"dependency setup finished"'));
    const implement = at((l) => l.includes('"phase session starting"') && l.includes('"phase":"IMPLEMENT"'));
    assert.ok(setupDone >= 0 && implement > setupDone, 'setup finished before IMPLEMENT started');
    assert.ok(log.some((l) => l.includes('"node_modules from the shared template"')));

    // the verify command ran the project's tests in its own sandboxed checkout, dependencies in place,
    // and what landed is the tree that passed
    const runs = (await api.get<{ runs: VerifyRun[] }>('/api/verify-runs?chunk=use_dep')).runs;
    const passed = runs.filter((r) => r.outcome === 'passed');
    assert.ok(
      passed.length > 0,
      `a verification passed: ${JSON.stringify(runs.map((r) => [r.outcome, r.tail]))}`,
    );
    assert.equal(passed[0]?.sandboxed, true);
    const landed = git(root, 'rev-parse', 'main').trim();
    assert.ok(
      passed.some((r) => r.spec_commit === landed),
      'main is the verified commit',
    );
  });
});
