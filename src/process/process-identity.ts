/**
 * A process identified by pid *and* start time, so that a pid recorded by a daemon that died is never
 * mistaken for an unrelated process that reused the number (Linux /proc; elsewhere, pid alone).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ifPresent } from '../shared/fs-errors.js';

/**
 * The start time of `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), or null when no
 * such process runs (a zombie, dead and waiting for its parent to reap it, does not run).
 */
export function processStartTime(pid: number): string | null {
  const stat = ifPresent(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), null);
  if (stat === null) return null;
  // the command name (field 2) may contain spaces and parentheses: count from the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  return fields[19] ?? null;
}

/**
 * SIGKILLs the process group `pid` leads when that process is still the one that was recorded.
 * True when it was found and killed.
 */
export function killRecordedGroup(pid: number, startTime: string | null): boolean {
  const now = processStartTime(pid);
  if (now === null) return false;
  if (startTime !== null && now !== startTime) return false;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
  return true;
}

/** The environment variable that marks every process of one verification, sandboxed or not. */
export const RUN_MARKER_VAR = 'VE_VERIFY_RUN';

/**
 * SIGKILLs every process whose environment carries `VE_VERIFY_RUN=<marker>`: the processes of a
 * verification whose daemon died before it could record their pid. Returns how many it killed.
 */
export function killMarked(marker: string): number {
  const needle = `${RUN_MARKER_VAR}=${marker}\0`;
  let killed = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0; // no /proc: not Linux
    throw e;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (!`${env}\0`.includes(needle)) continue;
    try {
      process.kill(Number(name), 'SIGKILL');
      killed += 1;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
  return killed;
}
