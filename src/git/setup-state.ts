/**
 * `.ve/chunks/<c>/setup.json`, the stamp of a unit's dependency setup: `running` (with the pid of
 * its process group) while it runs, `done` (with a hash of the lockfiles and the worktree it ran in)
 * after it succeeded. A restart reruns a setup that never reached `done`, and none that did.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SETUP_INPUT_FILES } from '../domain/setup-detection.js';
import type { Logger } from '../ports/logger.js';
import { killGroup } from './setup-command.js';

export type SetupState =
  /** a setup process group was started and has not finished (or the daemon died meanwhile) */
  | { state: 'running'; command: string; worktree_id: string; pid: number | null; started_at: string }
  /** the setup succeeded for these inputs in this worktree */
  | { state: 'done'; command: string; worktree_id: string; inputs: string; finished_at: string };

/** The stamp, or null when there is none. A damaged stamp counts as none: the setup runs again. */
export function readSetupState(file: string, log: Logger): SetupState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as SetupState;
    if (parsed.state === 'running' || parsed.state === 'done') return parsed;
  } catch {
    // handled below, like an unknown state
  }
  log.warn('setup stamp is unreadable; the setup runs again', { file });
  return null;
}

/** Replaces the stamp atomically (a crash leaves the old one or the new one, never half of one). */
export function writeSetupState(file: string, state: SetupState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  renameSync(tmp, file);
}

/**
 * Which incarnation of a worktree this is: a worktree removed and created again at the same path gets
 * a new birth time (its inode number is often reused at once), so an old stamp does not apply to it.
 */
export async function worktreeIdentity(path: string): Promise<string> {
  const s = await stat(path, { bigint: true });
  return `${s.dev}:${s.ino}:${s.birthtimeNs}`;
}

/** A hash of the command and the content of the setup input files present in `checkout`. */
export async function setupInputs(checkout: string, command: string): Promise<string> {
  const hash = createHash('sha256').update(command).update('\0');
  for (const name of SETUP_INPUT_FILES) {
    const content = await readIfExists(join(checkout, name));
    if (content !== null) hash.update(name).update('\0').update(content).update('\0');
  }
  return hash.digest('hex');
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return null;
    throw e;
  }
}

/**
 * Kills the process group a `running` stamp names if it is still the same setup: a daemon killed
 * mid-setup leaves it running, and a second run in the same worktree would fight it. Checked through
 * /proc (the pid may have been reused by now); where there is no /proc it is left alone and logged.
 */
export function killOrphanedSetup(state: SetupState & { state: 'running' }, log: Logger): void {
  if (state.pid === null) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${state.pid}/cmdline`, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && process.platform === 'linux') return; // it is gone
    log.warn('an earlier setup may still be running; not killed (no /proc to verify it)', {
      pid: state.pid,
      error: e,
    });
    return;
  }
  // `/bin/sh -c <command>`, directly or at the end of a bubblewrap command line
  const [shell, flag, command] = cmdline.replace(/\0$/, '').split('\0').slice(-3);
  if (shell !== '/bin/sh' || flag !== '-c' || command !== state.command) return; // pid reused
  log.warn('killing a setup left running by an earlier daemon', { pid: state.pid, command });
  killGroup(state.pid);
}
