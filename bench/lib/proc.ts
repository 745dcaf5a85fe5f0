/** Linux /proc readings of another process: resident memory and open file descriptors. */
import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS of `pid` in KiB, from /proc/<pid>/status. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

export const rssMiB = (pid: number): number => rssKiB(pid) / 1024;

/** Number of open file descriptors of `pid` (entries of /proc/<pid>/fd). */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
