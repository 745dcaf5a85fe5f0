/**
 * Git subcommands that reach past the worktree (PURE). A linked worktree shares its repository's
 * config, hooks and refs with the operator's checkout, so `git config core.hooksPath …`, `update-ref
 * refs/heads/main`, `branch -D` or `push . HEAD:main` change the host repository from inside the
 * worktree. Returns the denial reason, or null when the command stays within the unit's own branch.
 */

/** global options that take a separate value */
const VALUE_OPTIONS = new Set(['-C', '-c', '--namespace', '--super-prefix', '--config-env', '--exec-path']);

const CONFIG_WRITE_FLAGS = new Set([
  '--unset',
  '--unset-all',
  '--add',
  '--replace-all',
  '--rename-section',
  '--remove-section',
  '--edit',
  '-e',
]);
const CONFIG_READ_FLAGS = new Set(['--get', '--get-all', '--get-regexp', '--get-urlmatch', '--list', '-l']);
const BRANCH_WRITE_FLAGS = new Set([
  '-d',
  '-D',
  '--delete',
  '-f',
  '--force',
  '-m',
  '-M',
  '--move',
  '-c',
  '-C',
  '--copy',
]);
const TAG_WRITE_FLAGS = new Set(['-d', '--delete', '-f', '--force']);
/** subcommands that only rewrite shared state: refs, the object store, the worktree list */
const ALWAYS_SHARED: Record<string, string> = {
  'update-ref': 'moves refs that the operator’s repository shares',
  push: 'updates refs outside your branch',
  'filter-branch': 'rewrites shared history',
  'filter-repo': 'rewrites shared history',
  replace: 'replaces objects for every worktree',
  gc: 'prunes the shared object store',
  prune: 'prunes the shared object store',
};

export function decideGitSubcommand(args: readonly string[]): string | null {
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) break;
  }
  const sub = args[i];
  const rest = args.slice(i + 1);
  if (sub === undefined) return null;
  const flags = new Set(rest.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0] as string));
  const positional = rest.filter((a) => !a.startsWith('-'));
  if (rest.includes('--ignore-other-worktrees'))
    return 'checks out a branch that another worktree has checked out';
  const shared = ALWAYS_SHARED[sub];
  if (shared) return shared;
  switch (sub) {
    case 'config':
      return configWrites(flags, positional)
        ? 'changes the configuration your worktree shares with the operator’s repository'
        : null;
    case 'symbolic-ref':
      return positional.length >= 2 || flags.has('-d') || flags.has('--delete') ? 'moves a shared ref' : null;
    case 'branch':
      return [...flags].some((f) => BRANCH_WRITE_FLAGS.has(f))
        ? 'deletes, moves or overwrites shared branches'
        : null;
    case 'tag':
      return [...flags].some((f) => TAG_WRITE_FLAGS.has(f)) ? 'deletes or overwrites shared tags' : null;
    case 'reflog':
      return ['expire', 'delete'].includes(positional[0] ?? '') ? 'rewrites shared reflogs' : null;
    case 'worktree':
      return ['list', undefined].includes(positional[0]) ? null : 'changes the list of worktrees';
    case 'remote':
      return ['show', 'get-url', undefined].includes(positional[0]) ? null : 'changes the shared remotes';
    case 'submodule':
      return ['status', 'summary', undefined].includes(positional[0])
        ? null
        : 'changes shared submodule state';
    default:
      return null;
  }
}

function configWrites(flags: Set<string>, positional: string[]): boolean {
  if ([...flags].some((f) => CONFIG_WRITE_FLAGS.has(f))) return true;
  if ([...flags].some((f) => CONFIG_READ_FLAGS.has(f))) return false;
  const verb = positional[0];
  if (verb === 'get' || verb === 'list') return false;
  if (['set', 'unset', 'rename-section', 'remove-section', 'edit'].includes(verb ?? '')) return true;
  return positional.length >= 2; // `git config key value`
}

/** config keys whose value git runs through a shell (`sh -c`), lower-cased */
const COMMAND_KEYS = [
  /^core\.(pager|editor|sshcommand|fsmonitor)$/,
  /^sequence\.editor$/,
  /^pager\./,
  /^diff\.external$/,
  /^diff\..+\.(textconv|command)$/,
  /^filter\..+\.(clean|smudge|process)$/,
  /^merge\..+\.driver$/,
  /^uploadpack\.packobjectshook$/,
  /^interactive\.difffilter$/,
];

/**
 * The command a one-off `git -c key=value` makes git run, or null: a `!` alias or credential helper
 * is a shell command, any other alias a git command line, a pager or filter a shell command.
 */
export function gitConfigCommand(key: string, value: string): string | null {
  const k = key.toLowerCase();
  if (k.startsWith('alias.')) return value.startsWith('!') ? value.slice(1) : `git ${value}`;
  if (k === 'credential.helper' || /^credential\..+\.helper$/.test(k)) {
    return value.startsWith('!') ? value.slice(1) : null;
  }
  return COMMAND_KEYS.some((re) => re.test(k)) ? value : null;
}
