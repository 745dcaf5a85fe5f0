/**
 * The small vocabulary of the shell walk (PURE): where the shell may be while a command runs, how a
 * denial travels up, and what every part of the walk shares.
 */
import type { Redirect, Word } from './ast.js';

/** A directory the command may be in; null when it cannot be known (after `cd -` or `popd`). */
export type Cwd = string | null;

/** where the shell may be after a command that succeeded (`ok`) or failed (`fail`) */
export interface Flow {
  ok: Cwd[];
  fail: Cwd[];
}

/** Options of the command being read, from how it was reached. */
export interface CallMode {
  /** `xargs cmd`: arguments read at run time are appended */
  extraArgs: boolean;
}

/** Where a simple command runs: its statement's redirections, the directories it may be in, how deep. */
export interface At {
  redirs: Redirect[];
  cwds: Cwd[];
  depth: number;
  mode: CallMode;
}

/** thrown inside the walk to stop at the first denial; `decideShell` turns it into a decision */
export class Denied extends Error {}

export const same = (cwds: Cwd[]): Flow => ({ ok: cwds, fail: cwds });
export const union = (...sets: Cwd[][]): Cwd[] => [...new Set(sets.flat())];

export const UNKNOWN_TARGET = (what: string) =>
  `Blocked: cannot tell where ${what} leads, so it may leave your worktree. ` +
  'Use a literal path inside the worktree.';

/** The shell's idea of the command name: `/bin/cp` and `cp` are the same command. */
export function commandName(w: Word): string | null {
  if (w.value === null || w.toplevel) return null;
  return w.value.includes('/') ? (w.value.split('/').pop() ?? '') : w.value;
}
