/**
 * Reads git's administrative files (every working tree's HEAD, a working tree's MERGE_HEAD) where a
 * git spawn would read the same files. Anything unexpected answers "cannot tell", and callers ask git.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isObjectId } from './porcelain.js';

/**
 * Which working trees of the repository whose shared git directory is `commonDir` have `branch`
 * checked out, judged from their HEAD files (`<common>/HEAD`, `<common>/worktrees/<id>/HEAD`) — what
 * `git worktree list` reads. `none`: every HEAD is a plain file naming something else. `main`: the
 * main working tree's HEAD names it (git lists that one first). `ask`: a linked one names it, or a
 * HEAD is a symlink, the reftable placeholder (the real HEAD then lives in the reftable) or odd.
 */
export function headsNaming(commonDir: string, branch: string): 'none' | 'main' | 'ask' {
  const named = `ref: refs/heads/${branch}`;
  const main = readHead(join(commonDir, 'HEAD'));
  if (main === named) return 'main';
  if (isUnclear(main)) return 'ask';
  const ids = listDir(join(commonDir, 'worktrees'));
  if (ids === null) return 'ask';
  for (const id of ids) {
    const text = readHead(join(commonDir, 'worktrees', id, 'HEAD'));
    if (text === named || isUnclear(text)) return 'ask';
  }
  return 'none';
}

function isUnclear(head: string): boolean {
  return head === 'odd' || head === 'ref: refs/heads/.invalid';
}

/**
 * The MERGE_HEAD of the working tree at `worktree` (its first line), null when no merge is in
 * progress there, undefined when its git directory cannot be found from `<worktree>/.git`.
 * MERGE_HEAD is a per-worktree file with either ref backend.
 */
export function mergeHeadOf(worktree: string): string | null | undefined {
  const gitDir = gitDirOf(worktree);
  if (gitDir === undefined) return undefined;
  try {
    return readFileSync(join(gitDir, 'MERGE_HEAD'), 'utf8').split('\n')[0]?.trim() ?? '';
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

/** The git directory of the working tree at `worktree`: `.git` itself, or where a `.git` file points. */
export function gitDirOf(worktree: string): string | undefined {
  const dotGit = join(worktree, '.git');
  try {
    if (lstatSync(dotGit).isDirectory()) return dotGit;
    const m = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    return m ? resolve(worktree, (m[1] as string).trim()) : undefined;
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** A HEAD file's content (`ref: …` or an object id), `absent`, or `odd` for anything else. */
function readHead(path: string): string {
  try {
    if (lstatSync(path).isSymbolicLink()) return 'odd';
    const text = readFileSync(path, 'utf8').trim();
    return text.startsWith('ref: ') || isObjectId(text) ? text : 'odd';
  } catch (e) {
    // unreadable (permissions, a directory): not an answer; git is asked instead
    return isMissing(e) ? 'absent' : 'odd';
  }
}

/** The entries of `dir`; [] when it does not exist, null when it cannot be read (git is asked). */
function listDir(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch (e) {
    return isMissing(e) ? [] : null;
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
