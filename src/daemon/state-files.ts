/** The daemon's files under `.ve/`: pid, port and token, written 0600; removed on every exit path. */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { ProjectPaths } from '../config/paths.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { isMissing } from '../shared/fs-errors.js';
import { excerpt } from '../shared/text.js';

/** `.ve` is 0700 even when it existed before (made by hand, or under a loose umask): it holds the socket. */
export function ensureStateDir(paths: ProjectPaths): void {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  chmodSync(paths.stateDir, 0o700);
}

/** Creates (or tightens) files that SQLite will open, so they and their -wal/-shm stay 0600. */
export function makePrivate(paths: string[]): void {
  for (const p of paths) {
    closeSync(openSync(p, 'a', 0o600));
    chmodSync(p, 0o600);
  }
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Keeps an existing private token so dashboard links survive a restart; otherwise makes a new one. */
export function loadOrCreateToken(paths: ProjectPaths): string {
  try {
    const st = statSync(paths.token);
    const existing = readFileSync(paths.token, 'utf8').trim();
    if ((st.mode & 0o077) === 0 && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return existing;
  } catch (e) {
    // no token yet: one is made below
    if (!isMissing(e)) throw e;
  }
  const token = randomBytes(32).toString('base64url');
  writePrivate(paths.token, `${token}\n`);
  return token;
}

export function writePid(paths: ProjectPaths, pid: number): void {
  writePrivate(paths.pid, `${pid}\n`);
}

export function writePort(paths: ProjectPaths, port: number): void {
  writePrivate(paths.port, `${port}\n`);
  writePrivate(lastPortFile(paths), `${port}\n`);
}

const lastPortFile = (paths: ProjectPaths) => `${paths.port}.last`;

/** The port of the previous run (kept across stops), or null: it is only a preference. */
export function readLastPort(paths: ProjectPaths): number | null {
  const text = readOptional(lastPortFile(paths));
  const n = Number(text?.trim());
  return text !== null && Number.isInteger(n) && n > 0 && n < 65536 ? n : null;
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

export function removeRuntimeFiles(paths: ProjectPaths): void {
  for (const p of [paths.pid, paths.port, paths.socket]) rmSync(p, { force: true });
}

const baseFile = (paths: ProjectPaths) => `${paths.stateDir}/base-branch`;

/**
 * The base branch fixed at the project's first daemon start, or null before it. A file that does not
 * hold a branch name is refused: pinning the current branch over it would redirect every merge.
 */
export function readPinnedBase(paths: ProjectPaths): string | null {
  const text = readOptional(baseFile(paths));
  if (text === null) return null;
  const name = text.trim();
  if (/^[A-Za-z0-9._/-]{1,200}$/.test(name) && !name.includes('..')) return name;
  throw new OrchError(
    ErrorCode.invalid_input,
    `${baseFile(paths)} holds ${JSON.stringify(excerpt(name, 80))}, not a branch name: write the branch units merge into, or delete it to pin the current branch`,
  );
}

export function pinBase(paths: ProjectPaths, branch: string): void {
  writePrivate(baseFile(paths), `${branch}\n`);
}
