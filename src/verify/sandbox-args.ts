/**
 * The OS sandbox around a verify command: bubblewrap with the whole file system read-only except the
 * checkout, the package caches and a private /tmp; its own PID namespace, so killing bwrap (or the
 * daemon dying: --die-with-parent) ends every process the command started, however it detached;
 * and no network but its own loopback, like the agents' shell commands. PURE.
 */

export interface SandboxLayout {
  /** the checkout: the only place the command may write besides `writable` and /tmp */
  checkout: string;
  /** also writable (package caches) */
  writable: readonly string[];
  /** read-only paths to show again under the private /tmp (the repository's objects, when it lives there) */
  readable: readonly string[];
}

export function bwrapArgs(layout: SandboxLayout, command: string): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  // binds after the /tmp tmpfs, so paths that live under /tmp stay visible
  for (const p of layout.readable) args.push('--ro-bind', p, p);
  for (const p of layout.writable) args.push('--bind', p, p);
  args.push('--bind', layout.checkout, layout.checkout);
  args.push('--unshare-pid', '--unshare-net', '--die-with-parent', '--new-session');
  args.push('--chdir', layout.checkout, '--', '/bin/sh', '-c', command);
  return args;
}
