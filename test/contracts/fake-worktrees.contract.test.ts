/** Keeps FakeWorktrees honest: it passes the same contract as GitWorktrees on a real repository. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWorktrees } from '../fakes/fake-worktrees.js';
import { describeWorktrees } from './worktrees.contract.js';

describeWorktrees('FakeWorktrees', async () => {
  const root = mkdtempSync(join(tmpdir(), 've-fake-wt-'));
  return {
    worktrees: new FakeWorktrees(root, 'main'),
    base: 'main',
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
