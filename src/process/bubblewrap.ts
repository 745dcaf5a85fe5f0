/**
 * Bubblewrap, the OS sandbox ve puts around the commands it runs itself (setup commands, the verify
 * command): the whole file system read-only but what the command may write, its own /dev and /proc,
 * --die-with-parent so nothing outlives the daemon, and --new-session so it cannot reach the daemon's
 * terminal. Agents' own shell commands are sandboxed by Claude Code (agents/claude/os-sandbox.ts).
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';

let probe: Promise<string | null> | null = null;

/** null when bubblewrap can confine a command here, else why not (probed once per process). */
export function bwrapUnavailable(): Promise<string | null> {
  probe ??= new Promise((resolve) => {
    if (process.platform !== 'linux') return resolve(`no bubblewrap on ${process.platform}`);
    const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', 'true'];
    execFile('bwrap', args, { timeout: 10_000 }, (err) =>
      resolve(err ? `bubblewrap cannot run here (${err.message.split('\n')[0]})` : null),
    );
  });
  return probe;
}

export interface Confinement {
  /** the command's working directory; writable */
  cwd: string;
  /** also writable (package caches, …) */
  writable: readonly string[];
  /** read-only paths to show again under a private /tmp (a repository's objects that live there) */
  readable?: readonly string[];
  /**
   * isolated: a private /tmp, its own PID namespace (killing bwrap ends every process it started,
   * however they detached) and no network but its own loopback — for the verify command. Otherwise
   * the host's network stays, as an install needs it.
   */
  isolated: boolean;
}

/** The bubblewrap command line that runs `/bin/sh -c command` confined as `c` says. */
export function bwrapArgs(c: Confinement, command: string): string[] {
  const real = (paths: readonly string[]) => [...new Set(paths.map((p) => realpathSync(p)))];
  const args = [
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
  ];
  if (c.isolated) args.push('--tmpfs', '/tmp', '--unshare-pid', '--unshare-net');
  // binds after the /tmp tmpfs, so paths that live under /tmp stay visible
  for (const p of real(c.readable ?? [])) args.push('--ro-bind', p, p);
  for (const p of real([...c.writable, c.cwd])) args.push('--bind', p, p);
  args.push('--chdir', c.cwd, '/bin/sh', '-c', command);
  return args;
}
