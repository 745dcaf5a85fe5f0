import assert from 'node:assert/strict';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeUnitRepo } from '../../../test/support/agent-fixtures.js';
import {
  agentGitConfig,
  gitWriteDirs,
  LIBEXEC_DIR,
  SANDBOX_MASKED_NAMES,
  sandboxHoldReason,
  sandboxOption,
  sandboxSessionEnv,
  writeAgentExcludes,
} from './os-sandbox.js';

describe('OS sandbox settings', () => {
  it('holds agents where auto or on promise a sandbox that cannot run, and only there', () => {
    const missing = 'socat is not installed (apt install bubblewrap socat)';
    for (const mode of ['auto', 'on'] as const) {
      assert.equal(sandboxHoldReason(mode, null), null);
      assert.match(
        sandboxHoldReason(mode, missing) ?? '',
        /cannot run here \(socat is not installed.*set agent_sandbox to off/,
      );
    }
    assert.equal(sandboxHoldReason('off', missing), null, 'off: the operator chose the tool policy alone');
  });

  it("opens exactly the worktree's git admin folder, the objects and the orch refs", () => {
    const repo = makeUnitRepo('feat');
    try {
      const git = join(repo.host, '.git');
      assert.deepEqual(gitWriteDirs(repo.worktree), [
        join(git, 'worktrees', 'worktree'),
        join(git, 'objects'),
        join(git, 'refs', 'heads', 'orch'),
        join(git, 'logs', 'refs', 'heads', 'orch'),
      ]);
      assert.deepEqual(gitWriteDirs(repo.host), [], 'the main checkout has no .git file');
    } finally {
      repo.cleanup();
    }
  });

  it('lets shell commands also write the extra folders given (the package caches)', () => {
    const repo = makeUnitRepo('feat');
    try {
      const cache = join(repo.host, '.ve', 'cache');
      const option = sandboxOption(repo.worktree, true, [cache]);
      assert.deepEqual(option.filesystem?.allowWrite, [...gitWriteDirs(repo.worktree), cache]);
      assert.equal(option.failIfUnavailable, true);
      assert.equal(option.allowUnsandboxedCommands, false);
    } finally {
      repo.cleanup();
    }
  });

  it('appends its git settings after the ones the daemon inherited', () => {
    const env: Record<string, string | undefined> = {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'user.name',
      GIT_CONFIG_VALUE_0: 'op',
    };
    agentGitConfig(env, '/p/.ve/agent-excludes');
    assert.deepEqual(env, {
      GIT_CONFIG_COUNT: '4',
      GIT_CONFIG_KEY_0: 'user.name',
      GIT_CONFIG_VALUE_0: 'op',
      GIT_CONFIG_KEY_1: 'gc.auto',
      GIT_CONFIG_VALUE_1: '0',
      GIT_CONFIG_KEY_2: 'maintenance.auto',
      GIT_CONFIG_VALUE_2: 'false',
      GIT_CONFIG_KEY_3: 'core.excludesFile',
      GIT_CONFIG_VALUE_3: '/p/.ve/agent-excludes',
    });
    const bare: Record<string, string | undefined> = {};
    agentGitConfig(bare, null);
    assert.equal(bare.GIT_CONFIG_COUNT, '2', 'no excludes file without the sandbox');
  });

  it("writes the masks and the operator's global ignore into a 0600 excludes file", () => {
    const dir = mkdtempSync(join(tmpdir(), 've-excludes-'));
    mkdirSync(join(dir, 'xdg', 'git'), { recursive: true });
    writeFileSync(join(dir, 'xdg', 'git', 'ignore'), '*.swp\n');
    const file = writeAgentExcludes(dir, { XDG_CONFIG_HOME: join(dir, 'xdg') });
    const lines = readFileSync(file, 'utf8').split('\n');
    for (const name of SANDBOX_MASKED_NAMES) assert.ok(lines.includes(name), name);
    assert.ok(lines.includes('*.swp'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it("refuses to run agents without the operator's global ignore rather than drop it", () => {
    // dropped, sandboxed `git add -A` would commit what the operator ignores everywhere (.env, keys)
    const dir = mkdtempSync(join(tmpdir(), 've-excludes-'));
    mkdirSync(join(dir, 'xdg', 'git', 'ignore'), { recursive: true });
    assert.throws(() => writeAgentExcludes(dir, { XDG_CONFIG_HOME: join(dir, 'xdg') }), /EISDIR/);
    assert.match(
      readFileSync(join(dir, 'agent-excludes'), { encoding: 'utf8', flag: 'a+' }),
      /^$/,
      'nothing half-written',
    );
  });

  it('opens nothing for a checkout whose .git is a folder or missing, and fails on a broken .git', () => {
    const dir = mkdtempSync(join(tmpdir(), 've-gitdirs-'));
    assert.deepEqual(gitWriteDirs(dir), [], 'no .git at all');
    mkdirSync(join(dir, 'main', '.git'), { recursive: true });
    assert.deepEqual(gitWriteDirs(join(dir, 'main')), [], 'a main checkout');
    mkdirSync(join(dir, 'loop'));
    symlinkSync('.git', join(dir, 'loop', '.git'));
    assert.throws(() => gitWriteDirs(join(dir, 'loop')), /ELOOP/);
  });

  it("puts ve's bubblewrap stand-in first on a sandboxed session's PATH, with the real one and the git directory", () => {
    const repo = makeUnitRepo('feat');
    try {
      const bin = mkdtempSync(join(tmpdir(), 've-bin-'));
      writeFileSync(join(bin, 'bwrap'), '#!/bin/sh\n', { mode: 0o755 });
      // already on PATH (a nested daemon): the real one is still found past it
      const env = sandboxSessionEnv(repo.worktree, [LIBEXEC_DIR, '/nowhere', bin].join(':'));
      assert.equal(env.PATH, [LIBEXEC_DIR, LIBEXEC_DIR, '/nowhere', bin].join(':'));
      assert.equal(env.VE_REAL_BWRAP, join(bin, 'bwrap'));
      assert.equal(env.VE_SANDBOX_GIT_DIR, join(repo.host, '.git'));
      assert.equal(env.VE_NODE, process.execPath);
      assert.doesNotThrow(
        () => accessSync(join(LIBEXEC_DIR, 'bwrap'), constants.X_OK),
        'the stand-in ships executable',
      );
      assert.deepEqual(
        sandboxSessionEnv(repo.worktree, '/nowhere'),
        {},
        'no bubblewrap: nothing to stand in for',
      );
    } finally {
      repo.cleanup();
    }
  });
});
