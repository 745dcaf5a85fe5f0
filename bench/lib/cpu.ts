/** CPU time of a process (user + system, itself only, not its children) from /proc/<pid>/stat. */
import { readFileSync } from 'node:fs';

/** clock ticks per second on Linux (USER_HZ); fixed at 100 on every mainstream kernel build */
const TICKS = 100;

export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the parenthesised command name (which may contain spaces)
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / TICKS;
}
