/**
 * `.worktreeinclude`: untracked files and folders (`.env`, local config) copied from the host
 * repository into a newly created worktree. Copies never overwrite what the checkout already has.
 */
import { cp, lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../ports/logger.js';
import { ifPresentAsync, isMissing } from '../shared/fs-errors.js';
import { type IncludeList, parseWorktreeInclude } from './porcelain.js';

export const INCLUDE_FILE = '.worktreeinclude';

/** The include list of the host repository (empty when there is no `.worktreeinclude`). */
export async function readIncludeList(root: string): Promise<IncludeList> {
  let text: string;
  try {
    text = await readFile(join(root, INCLUDE_FILE), 'utf8');
  } catch (e) {
    if (isMissing(e)) return { paths: [], rejected: [] };
    throw e;
  }
  return parseWorktreeInclude(text);
}

/** Copies the listed paths from `root` into `dest`; returns the paths copied. */
export async function copyIncludedFiles(root: string, dest: string, log: Logger): Promise<string[]> {
  const list = await readIncludeList(root);
  for (const r of list.rejected)
    log.warn('.worktreeinclude line ignored', { line: r.line, reason: r.reason });
  const copied: string[] = [];
  for (const rel of list.paths) {
    const from = join(root, rel);
    const to = join(dest, rel);
    if (!(await exists(from))) {
      log.debug('.worktreeinclude path missing in the host repository', { path: rel });
      continue;
    }
    if (await exists(to)) {
      log.info('.worktreeinclude path already in the worktree; not overwritten', { path: rel });
      continue;
    }
    // dereference: a symlinked `.env` arrives as its content, and relative links cannot dangle
    await cp(from, to, { recursive: true, dereference: true, errorOnExist: false, force: false });
    copied.push(rel);
  }
  return copied;
}

/** without following a symlink: a link that points nowhere is still there */
function exists(p: string): Promise<boolean> {
  return ifPresentAsync(async () => Boolean(await lstat(p)), false);
}

/** Pathspecs that keep included paths out of ve's own `git add -A` (they are local, never committed). */
export function excludePathspecs(list: IncludeList): string[] {
  return list.paths.map((p) => `:(exclude,literal)${p}`);
}
