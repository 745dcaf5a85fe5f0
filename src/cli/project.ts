/** Project root resolution for every command: `--project-dir`, else the nearest ancestor holding `.git`. */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { isMissing } from '../shared/fs-errors.js';

/**
 * Returns the absolute, symlink-free project root. An explicit `--project-dir` must be an existing
 * directory; without it we walk up from `cwd` to the first directory containing `.git` (a directory,
 * or the file a linked worktree has).
 */
export function resolveProjectRoot(projectDir: string | undefined, cwd: string): string {
  if (projectDir !== undefined) {
    const abs = resolve(cwd, projectDir);
    if (!isDirectory(abs)) {
      throw new OrchError(ErrorCode.invalid_input, `--project-dir ${abs} is not a directory`);
    }
    return realpathSync(abs);
  }
  let dir = realpathSync(resolve(cwd));
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new OrchError(
    ErrorCode.invalid_input,
    `no git repository found at or above ${cwd}; run inside a repository or pass --project-dir`,
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (e) {
    // a missing path is reported by the caller as "not a directory"
    if (isMissing(e)) return false;
    throw e;
  }
}
