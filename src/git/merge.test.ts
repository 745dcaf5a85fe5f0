/** mergeIntoBase on real repositories: the compare-and-swap ref update when base moves underneath. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isolateGitConfig, makeTestRepo, type TestRepo } from '../../test/support/git-repo.js';
import { isOrchError } from '../domain/errors.js';
import { silentLogger } from '../infra/json-logger.js';
import { mergeInCheckout, mergeIntoBase, mergeMessage } from './merge.js';
import { GitRepo } from './repo.js';

isolateGitConfig();

describe('mergeIntoBase', () => {
  let repo: TestRepo;
  let git: GitRepo;
  let unitTip: string;
  beforeEach(() => {
    repo = makeTestRepo({ initialFiles: { 'src/a.txt': 'a\n' } });
    git = new GitRepo(repo.root);
    repo.git(['checkout', '-q', '-b', 'orch/alpha']);
    unitTip = repo.commit({ 'unit.txt': 'unit\n' }, 'unit work');
    repo.git(['checkout', '-q', '-b', 'operator-topic', 'main']);
  });
  afterEach(() => repo.cleanup());

  const tip = (ref: string) => repo.git(['rev-parse', ref]);
  const req = () => ({ branch: 'orch/alpha', tip: unitTip, base: 'main' });
  /** advances main by one commit without any working copy, as another writer would */
  const moveBase = (n: number) => {
    const tree = repo.git(['rev-parse', 'main^{tree}']);
    const next = repo.git(['commit-tree', tree, '-p', 'main', '-m', `intruder ${n}`]);
    repo.git(['update-ref', 'refs/heads/main', next]);
    return next;
  };

  it('recomputes and retries when base moves between computing and updating the ref', async () => {
    let moved: string | null = null;
    const r = await mergeIntoBase(git, req(), {
      log: silentLogger,
      beforeRefUpdate: async () => {
        if (moved === null) moved = moveBase(1);
      },
    });
    assert.equal(r.kind, 'merged');
    assert.ok(moved);
    // the intruder survived (no lost update) and the merge was rebuilt on top of it
    assert.equal(r.kind === 'merged' && r.commit, tip('main'));
    assert.deepEqual(repo.git(['log', '-1', '--format=%P', 'main']).split(' '), [moved, unitTip]);
    assert.equal(repo.git(['log', '-1', '--format=%s', 'main']), mergeMessage('orch/alpha', 'main'));
    assert.equal(repo.git(['show', 'main:unit.txt']), 'unit');
  });

  it('gives up with a conflict error when base keeps moving, leaving base as the other writer set it', async () => {
    let n = 0;
    let last = '';
    await assert.rejects(
      mergeIntoBase(git, req(), {
        log: silentLogger,
        attempts: 3,
        beforeRefUpdate: async () => {
          last = moveBase(++n);
        },
      }),
      (e: unknown) => isOrchError(e, 'conflict') && /kept moving/.test(e.message),
    );
    assert.equal(n, 3);
    assert.equal(tip('main'), last);
  });

  it('switches to a plain git merge when base gets checked out meanwhile', async () => {
    const r = await mergeIntoBase(git, req(), {
      log: silentLogger,
      beforeRefUpdate: async () => {
        repo.git(['checkout', '-q', 'main']);
      },
    });
    assert.deepEqual(r, { kind: 'merged', commit: unitTip });
    // the working copy moved with its ref: nothing is staged or missing
    assert.equal(repo.git(['status', '--porcelain']), '');
    assert.equal(repo.read('unit.txt'), 'unit\n');
  });

  it('is a no-op when the branch is already contained in base', async () => {
    repo.git(['update-ref', 'refs/heads/main', unitTip]);
    assert.deepEqual(await mergeIntoBase(git, req(), { log: silentLogger }), {
      kind: 'merged',
      commit: null,
    });
    assert.equal(tip('main'), unitTip);
  });

  it('refuses a missing base branch', async () => {
    const r = await mergeIntoBase(git, { ...req(), base: 'nope' }, { log: silentLogger });
    assert.equal(r.kind, 'refused');
    assert.match(r.kind === 'refused' ? r.message : '', /base 'nope' does not exist/);
  });

  it('refuses, and says where it went, when the checkout switched branches before git merged', async () => {
    repo.git(['checkout', '-q', 'main']);
    const dir = repo.root;
    // the operator switches between our look at the checkout and git's own start
    repo.git(['checkout', '-q', 'operator-topic']);
    const before = tip('main');
    const r = await mergeInCheckout(git, dir, req(), silentLogger);
    assert.equal(r.kind, 'refused');
    assert.match(
      r.kind === 'refused' ? r.message : '',
      /switched to operator-topic while orch\/alpha was being merged into main, so git merged it there instead; main is unchanged/,
    );
    assert.equal(tip('main'), before, 'base did not move');
  });
});
