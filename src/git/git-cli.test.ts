/** The git wrapper: exit codes, typed failures, env scrubbing, stdin, truncation. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { isOrchError } from '../domain/errors.js';
import { git, gitOk, scrubEnv } from './git-cli.js';

describe('git-cli', () => {
  let repo: TestRepo;
  before(() => {
    repo = makeTestRepo();
  });
  after(() => repo.cleanup());

  it('returns stdout and exit status', async () => {
    const r = await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: repo.root });
    assert.deepEqual([r.code, r.stdout.trim()], [0, 'main']);
    const miss = await git(['rev-parse', '--verify', '--quiet', 'nope'], { cwd: repo.root });
    assert.equal(miss.code, 1);
  });

  it('gitOk throws git_failed with args, exit code and stderr', async () => {
    await assert.rejects(gitOk(['checkout', 'no-such-branch'], { cwd: repo.root }), (e: unknown) => {
      assert.ok(isOrchError(e, 'git_failed'));
      assert.deepEqual(e.details?.args, ['checkout', 'no-such-branch']);
      assert.equal(e.details?.exitCode, 1);
      assert.match(String(e.details?.stderr), /no-such-branch/);
      return true;
    });
  });

  it('scrubEnv drops every variable that could point git at another repository', () => {
    const kept = { HOME: '/home/op', PATH: '/usr/bin', GIT_TRACE: '1' };
    const repoPointers = { GIT_DIR: '/x/.git', GIT_WORK_TREE: '/x', GIT_INDEX_FILE: '/x/.git/index' };
    const configInjection = { GIT_CONFIG_PARAMETERS: "'core.hooksPath'='/x'", GIT_CONFIG_COUNT: '1' };
    const configEntry = { GIT_CONFIG_KEY_0: 'core.hooksPath', GIT_CONFIG_VALUE_0: '/x' };
    const env = scrubEnv({
      ...kept,
      ...repoPointers,
      GIT_COMMON_DIR: '/x/.git',
      ...configInjection,
      ...configEntry,
    });
    assert.deepEqual(env, kept);
  });

  it('a GIT_DIR / GIT_INDEX_FILE inherited from a parent cannot redirect us', () => {
    // a fresh process, because the scrubbed environment is computed once, at the first git call
    const other = makeTestRepo({ branch: 'other' });
    try {
      const gitCli = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'git-cli.js')).href;
      const script = `const { gitOk, scrubbedEnv } = await import(${JSON.stringify(gitCli)});
        const out = await gitOk(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: ${JSON.stringify(repo.root)} });
        process.stdout.write(JSON.stringify({ head: out.trim(), dir: scrubbedEnv().GIT_DIR ?? null }));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, GIT_DIR: `${other.root}/.git`, GIT_INDEX_FILE: `${other.root}/.git/index` },
      });
      assert.deepEqual(JSON.parse(out), { head: 'main', dir: null });
    } finally {
      other.cleanup();
    }
  });

  it('feeds stdin', async () => {
    const sha = await gitOk(['hash-object', '--stdin'], { cwd: repo.root, input: 'hello\n' });
    assert.equal(sha.trim(), 'ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('truncates at maxBuffer when asked, and fails otherwise', async () => {
    const r = await git(['log', '-p'], { cwd: repo.root, maxBuffer: 10, truncate: true });
    assert.equal(r.truncated, true);
    assert.ok(r.stdout.length <= 10);
    await assert.rejects(git(['log', '-p'], { cwd: repo.root, maxBuffer: 10 }), (e: unknown) =>
      isOrchError(e, 'git_failed'),
    );
  });

  it('a missing working directory is a typed failure', async () => {
    await assert.rejects(git(['status'], { cwd: '/nonexistent/dir/for/ve' }), (e: unknown) =>
      isOrchError(e, 'git_failed'),
    );
  });
});
