/** The git wrapper: exit codes, typed failures, env scrubbing, stdin, truncation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { isOrchError } from '../domain/errors.js';
import { git, gitOk, scrubbedEnv } from './git-cli.js';

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

  it('a GIT_DIR / GIT_INDEX_FILE inherited from a parent cannot redirect us', async () => {
    const other = makeTestRepo({ branch: 'other' });
    const saved = { dir: process.env.GIT_DIR, index: process.env.GIT_INDEX_FILE };
    process.env.GIT_DIR = `${other.root}/.git`;
    process.env.GIT_INDEX_FILE = `${other.root}/.git/index`;
    try {
      assert.equal(scrubbedEnv().GIT_DIR, undefined);
      const r = await gitOk(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: repo.root });
      assert.equal(r.trim(), 'main');
    } finally {
      if (saved.dir === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved.dir;
      if (saved.index === undefined) delete process.env.GIT_INDEX_FILE;
      else process.env.GIT_INDEX_FILE = saved.index;
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
