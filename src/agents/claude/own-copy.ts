/**
 * Before an agent writes a file, a file that shares its content with others through hard links (a
 * shared node_modules, docs/dependencies.md) gets its own copy, so the edit stays in this worktree
 * instead of reaching every worktree and the template it was linked from.
 */
import { chmod, copyFile, lstat, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../../ports/logger.js';
import { isInside } from '../sandbox.js';

/** Replaces each hard-linked regular file among `targets` inside `worktree` by a private, writable copy. */
export async function ownCopies(targets: readonly string[], worktree: string, log: Logger): Promise<void> {
  for (const target of targets) {
    try {
      await ownCopy(target, worktree);
    } catch (error) {
      // the write then goes ahead on the shared file: a read-only one refuses it, which the agent sees
      log.warn('could not give a hard-linked file its own copy before a write', { target, error });
    }
  }
}

async function ownCopy(target: string, worktree: string): Promise<void> {
  let s: Awaited<ReturnType<typeof lstat>>;
  try {
    s = await lstat(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // a new file: nothing is shared
    throw e;
  }
  if (!s.isFile() || s.nlink < 2) return;
  const real = await realpath(target);
  if (!isInside(real, await realpath(worktree))) return;
  const copy = join(dirname(real), `.${basename(real)}.ve-own-${process.pid}`);
  try {
    await copyFile(real, copy);
    await chmod(copy, (s.mode & 0o7777) | 0o200);
    await rename(copy, real);
  } finally {
    await rm(copy, { force: true });
  }
}
