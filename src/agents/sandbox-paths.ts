/**
 * The vocabulary the sandbox policy shares between its file-tool and shell parts (PURE): the context
 * of one unit, a decision, and path tests done on strings. Symlinks are the caller's to follow.
 */
import { posix } from 'node:path';

export interface SandboxContext {
  /** absolute path of the unit's worktree */
  worktree: string;
  /** absolute path of the operator's repository; the worktree usually lives inside it */
  hostRoot: string;
}

/**
 * `paths`: where an allowed Bash command writes or moves to (redirections, `tee`, the arguments of
 * `cp`, `mv`, `touch`, …, `cd` and `git -C` targets), resolved by string, inside the worktree or in a
 * scratch directory; the caller follows symlinks on them, which this pure policy cannot.
 */
export type ToolDecision = { allow: true; paths?: string[] } | { allow: false; reason: string };

export const ALLOW: ToolDecision = { allow: true };
export const deny = (reason: string): ToolDecision => ({ allow: false, reason });

/** absolute places outside the worktree that shell commands may write to and `cd` into */
export const SCRATCH_DIRS = ['/tmp', '/var/tmp', '/dev/shm'];
/** device files a command may redirect to; deeper paths (`/dev/fd/3/x`) reach whatever fd 3 is */
const DEVICE_FILE = /^\/dev\/(null|zero|full|random|urandom|tty|stdin|stdout|stderr|fd\/\d+)$/;

/** Resolves `p` the way a tool would from `base`; null when it cannot be known here (~, $VAR). */
export function resolveFrom(p: string, base: string): string | null {
  if (p.startsWith('~') || p.includes('$')) return null;
  return posix.resolve(base, p);
}

/** `p` is `dir` or below it, at a `/` boundary (so `<dir>-evil` is not inside). */
export function isInside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** /tmp and friends, unless they hold the host repository (tests keep theirs in /tmp). */
export function isScratch(abs: string, c: SandboxContext): boolean {
  return !isInside(abs, c.hostRoot) && (isDeviceFile(abs) || SCRATCH_DIRS.some((d) => isInside(abs, d)));
}

/** `/dev/null`, `/dev/stderr`, …: written to, never through */
export function isDeviceFile(abs: string): boolean {
  return DEVICE_FILE.test(abs);
}

export function normalizeContext(ctx: SandboxContext): SandboxContext {
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  return { worktree: posix.normalize(strip(ctx.worktree)), hostRoot: posix.normalize(strip(ctx.hostRoot)) };
}
