/**
 * Reading and amending the bubblewrap command line Claude Code builds for a sandboxed command, for
 * the retrying stand-in (bwrap-retry.ts). Pure: what exists on disk is asked through a callback.
 *
 * Why: Claude Code write-protects names inside the repository's git directory (`.git/config.lock`
 * among them) and, for a name that exists when it builds the command line, binds that file read-only
 * onto itself. Its own placeholder for an absent `config.lock` is such a file, created and deleted
 * around every sandboxed command of every Claude Code process on the repository; so is git's lock
 * while the operator changes a setting. When the name is gone by the time bubblewrap mounts it, the
 * command fails with `bwrap: Can't find source path …/.git/config.lock` before it ever ran.
 */

/** Arguments each bubblewrap option takes (bubblewrap 0.8; an option not listed stops the planning). */
const ARITY: Readonly<Record<string, number>> = {
  '--unshare-all': 0,
  '--share-net': 0,
  '--unshare-user': 0,
  '--unshare-user-try': 0,
  '--unshare-ipc': 0,
  '--unshare-pid': 0,
  '--unshare-net': 0,
  '--unshare-uts': 0,
  '--unshare-cgroup': 0,
  '--unshare-cgroup-try': 0,
  '--disable-userns': 0,
  '--assert-userns-disabled': 0,
  '--clearenv': 0,
  '--new-session': 0,
  '--die-with-parent': 0,
  '--as-pid-1': 0,
  '--userns': 1,
  '--userns2': 1,
  '--pidns': 1,
  '--uid': 1,
  '--gid': 1,
  '--hostname': 1,
  '--chdir': 1,
  '--unsetenv': 1,
  '--lock-file': 1,
  '--sync-fd': 1,
  '--remount-ro': 1,
  '--exec-label': 1,
  '--file-label': 1,
  '--proc': 1,
  '--dev': 1,
  '--tmpfs': 1,
  '--mqueue': 1,
  '--dir': 1,
  '--seccomp': 1,
  '--add-seccomp-fd': 1,
  '--block-fd': 1,
  '--userns-block-fd': 1,
  '--info-fd': 1,
  '--json-status-fd': 1,
  '--cap-add': 1,
  '--cap-drop': 1,
  '--perms': 1,
  '--size': 1,
  '--setenv': 2,
  '--bind': 2,
  '--bind-try': 2,
  '--dev-bind': 2,
  '--dev-bind-try': 2,
  '--ro-bind': 2,
  '--ro-bind-try': 2,
  '--bind-fd': 2,
  '--ro-bind-fd': 2,
  '--file': 2,
  '--bind-data': 2,
  '--ro-bind-data': 2,
  '--symlink': 2,
  '--chmod': 2,
};

/** Options whose first argument is a file descriptor bubblewrap uses. */
const FD_OPTIONS = new Set([
  '--userns',
  '--userns2',
  '--pidns',
  '--sync-fd',
  '--seccomp',
  '--add-seccomp-fd',
  '--block-fd',
  '--userns-block-fd',
  '--info-fd',
  '--json-status-fd',
  '--bind-fd',
  '--ro-bind-fd',
  '--file',
  '--bind-data',
  '--ro-bind-data',
]);

/** Every descriptor a command line names after an option that takes one (`--args` too). */
export function referencedFds(argv: readonly string[]): number[] {
  const fds = new Set<number>();
  argv.forEach((a, i) => {
    const fd = Number(argv[i + 1]);
    if ((FD_OPTIONS.has(a) || a === '--args') && Number.isSafeInteger(fd) && fd > 2) fds.add(fd);
  });
  return [...fds].sort((a, b) => a - b);
}

/** Of those, the ones bubblewrap reads to the end: a second run would find them empty. */
const CONSUMED_FD_OPTIONS = new Set([
  '--seccomp',
  '--add-seccomp-fd',
  '--file',
  '--bind-data',
  '--ro-bind-data',
]);

export interface SandboxPlan {
  /** every option with its arguments, in order */
  options: string[][];
  /** the command and its arguments */
  command: string[];
  /** the file descriptors the options name (the stand-in passes exactly these on) */
  fds: number[];
  /** false when an option consumes its descriptor, so the sandbox cannot be set up twice */
  repeatable: boolean;
}

/**
 * The options and the command of a sandbox command line, or null for anything else (`--version`,
 * `--args FD`, an option this table does not know): those are passed through untouched.
 */
export function planSandbox(argv: readonly string[]): SandboxPlan | null {
  const options: string[][] = [];
  let i = 0;
  while (i < argv.length && argv[i] !== '--') {
    const name = argv[i] as string;
    if (!name.startsWith('--')) break;
    const arity = ARITY[name];
    if (arity === undefined || i + arity >= argv.length) return null;
    options.push(argv.slice(i, i + 1 + arity));
    i += 1 + arity;
  }
  const command = argv.slice(argv[i] === '--' ? i + 1 : i);
  if (command.length === 0) return null;
  const fdOptions = options.filter((o) => FD_OPTIONS.has(o[0] as string));
  if (fdOptions.some((o) => !/^\d+$/.test(o[1] as string))) return null;
  return {
    options,
    command,
    fds: referencedFds(argv.slice(0, argv.length - command.length)),
    repeatable: !fdOptions.some((o) => CONSUMED_FD_OPTIONS.has(o[0] as string)),
  };
}

/**
 * Claude Code's read-only self-binds of names inside `gitDirs` whose file is gone now become what it
 * binds for an absent name: /dev/null on that name, which keeps the name from being created. Nothing
 * else changes, and no bind is dropped.
 */
export function rebindVanished(
  options: readonly string[][],
  gitDirs: readonly string[],
  exists: (path: string) => boolean,
): string[][] {
  const inGitDir = (p: string) => gitDirs.some((d) => p.startsWith(`${d.replace(/\/+$/, '')}/`));
  return options.map((o) => {
    const [name, src, dest] = o;
    if (name !== '--ro-bind' || src !== dest || src === undefined || !inGitDir(src) || exists(src)) return o;
    return ['--ro-bind', '/dev/null', src];
  });
}

/** The names `rebindVanished` put /dev/null on. */
export function reboundNames(before: readonly string[][], after: readonly string[][]): string[] {
  return after.filter((o, i) => o !== before[i]).map((o) => o[2] as string);
}

/**
 * The command wrapped so that it first writes `token` on its own line to stderr: everything bubblewrap
 * printed before that line is about setting the sandbox up, and the command has not run.
 */
export function announcingStart(command: readonly string[], token: string): string[] {
  return ['/bin/sh', '-c', 'printf "%s\\n" "$0" >&2 && exec "$@"', token, ...command];
}

/**
 * A set-up failure that another try can get past: a bind of a name inside `gitDirs` whose source
 * vanished, or whose mount point was deleted under it (then the mount is gone before bubblewrap
 * makes it read-only: "not in mount table", "Invalid argument"), while bubblewrap set up.
 */
export function isTransientSetupFailure(setupStderr: string, gitDirs: readonly string[]): boolean {
  const line =
    /^bwrap: (Can't find source path|Can't get type of source|Can't bind mount|Can't create file at) .*$/m.exec(
      setupStderr,
    )?.[0];
  return line !== undefined && gitDirs.some((d) => line.includes(`${d.replace(/\/+$/, '')}/`));
}

/** The whole command line for one try. */
export function sandboxArgs(plan: SandboxPlan, options: readonly string[][], token: string): string[] {
  return [...options.flat(), '--', ...announcingStart(plan.command, token)];
}
