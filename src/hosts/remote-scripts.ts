/**
 * The few POSIX sh scripts ve runs on a host, each as `sh -c <script> sh <args…>` so that every value
 * arrives as a quoted positional parameter, never spliced into the script text. Kept here, together,
 * so what ve does on someone else's machine can be read in one place.
 */

/**
 * Stops what a launch of Claude Code left running. Each pid file `<id>.pid` holds `<pid> <start time>
 * <process group>` (claude-launch.ts), and every process of that launch carries `VE_RUN=<id>` in its
 * environment. Claude Code is signalled (with its group, if it leads one) only if /proc still shows its start time, so
 * a recycled pid is left alone; the tagged processes are found by their environment, which survives
 * what a process group does not: Claude Code starts its tools detached, in sessions of their own,
 * and they outlive it. TERM is followed by KILL for whatever is left after 5 s. Linux hosts (/proc).
 * $1 run folder, $2 signal, $3 only this pid file's name (empty: all of them).
 */
export const STOP_PROCESSES = `
run=$1 sig=$2 only=$3 me=$$
alive() { # pid start-time: that very process, and not a zombie waiting for its parent
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=\${s##*) }
  set -- "$2" $s
  [ "$1" = "\${21}" ] && [ "$2" != Z ]
}
ids='' tags='' leaders=''
for f in "$run"/*.pid; do
  [ -f "$f" ] || continue
  id=\${f##*/}
  id=\${id%.pid}
  [ -z "$only" ] || [ "$id.pid" = "$only" ] || continue
  ids="$ids $id"
  tags="$tags -e VE_RUN=$id"
  read -r pid start group < "$f" || continue
  alive "$pid" "$start" && leaders="$leaders $pid:$start:\${group:-$pid}"
done
[ -n "$ids" ] || exit 0
tagged() { # processes carrying a tag of these launches: one grep over every environment we may read
  grep -lszxF $tags /proc/[0-9]*/environ | while IFS= read -r f; do
    p=\${f#/proc/}
    p=\${p%/environ}
    [ "$p" = "$me" ] || echo "$p"
  done
}
signal_leaders() { # signal
  for l in $leaders; do
    pid=\${l%%:*} rest=\${l#*:}
    start=\${rest%%:*} group=\${rest#*:}
    alive "$pid" "$start" || continue
    # the group only when Claude Code leads it (sshd starts each session in a group of its own); a
    # launcher sharing its parent's group must not take that parent down with it
    if [ "$group" = "$pid" ]; then kill -s "$1" -- "-$group" 2>/dev/null || true
    else kill -s "$1" -- "$pid" 2>/dev/null || true; fi
  done
}
signal_pids() { # signal pid...
  sg=$1
  shift
  for p in "$@"; do kill -s "$sg" -- "$p" 2>/dev/null || true; done
}
running() { # pid...: a leader or one of these is still there (zombies do not count)
  for l in $leaders; do
    rest=\${l#*:}
    alive "\${l%%:*}" "\${rest%%:*}" && return 0
  done
  for p in "$@"; do
    s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    s=\${s##*) }
    [ "\${s%% *}" != Z ] && return 0
  done
  return 1
}
victims=$(tagged)
signal_leaders "$sig"
signal_pids "$sig" $victims
if [ "$sig" != KILL ]; then
  i=0
  while [ $i -lt 50 ] && running $victims; do
    sleep 0.1
    i=$((i+1))
  done
fi
# whatever ignored the signal, or was started meanwhile
signal_leaders KILL
signal_pids KILL $(tagged)
for id in $ids; do rm -f -- "$run/$id.pid"; done
exit 0
`;

/** Prints the unit's lease file (empty when none), a separator, then its branch tip (empty if none).
 * $1 lease file, $2 the unit's worktree, $3 branch ref */
export const READ_UNIT = `
cat -- "$1" 2>/dev/null || true
echo ---
git -C "$2" rev-parse -q --verify "$3^{commit}" 2>/dev/null || true
`;

/**
 * (Re)creates a unit's worktree: a clone of the mirror of its own, sharing the mirror's objects
 * (`--shared`: alternates, nothing copied), checked out on the unit's branch at the start commit. A
 * repository per unit, not a linked worktree of the mirror: the agents of two units on one host then
 * share no git directory, so neither sees the other's lock files and sandbox placeholders come and
 * go, nor can write the other's branch. A stale copy's processes are stopped and the copy removed
 * first, and the lease is written last (0600), so a half-made worktree never carries a valid lease.
 * Prints HEAD, the git dir and the common dir.
 * $1 mirror, $2 worktree, $3 unit folder, $4 branch, $5 start commit, $6 lease line, $7 STOP_PROCESSES
 */
export const CREATE_WORKTREE = `
set -eu
mirror=$1 wt=$2 unit=$3 branch=$4 start=$5 lease=$6 stop=$7
mkdir -p -- "$unit/run"
sh -c "$stop" sh "$unit/run" TERM ''
rm -f -- "$unit/lease"
rm -rf -- "$wt"
mkdir -p -- "\${wt%/*}"
git clone -q --shared --no-checkout -- "$mirror" "$wt" >&2
cd -- "$wt"
# its objects live in the mirror: a gc here must not prune what only the mirror holds
git config gc.auto 0
git checkout -q -B "$branch" "$start" >&2
(umask 077 && printf '%s\\n' "$lease" > "$unit/lease.tmp" && mv -f -- "$unit/lease.tmp" "$unit/lease")
git rev-parse HEAD
git rev-parse --path-format=absolute --git-dir --git-common-dir
`;

/** Creates the folder (if need be) and prints its physical absolute path. $1 folder */
export const RESOLVE_DIR = `mkdir -p -- "$1" && cd -- "$1" && pwd -P`;

/** A bare repository, once; later calls find it. $1 mirror */
export const INIT_MIRROR = `
set -eu
[ -f "$1/HEAD" ] && exit 0
git init -q --bare -- "$1"
# objects arrive by push only; no host-side gc racing a push, no reflogs to keep them alive
git -C "$1" config gc.auto 0
`;

/**
 * The mirror (INIT_MIRROR) and the excludes file sandboxed git reads on this host: the names the OS
 * sandbox masks ($3), then the host user's own global ignore file. $1 mirror, $2 excludes file,
 * $3 masked names, $4 INIT_MIRROR
 */
export const PREPARE_PROJECT = `
set -eu
sh -c "$4" sh "$1"
umask 077
{ printf '%s' "$3"; cat -- "\${XDG_CONFIG_HOME:-$HOME/.config}/git/ignore" 2>/dev/null || true; } > "$2.$$"
mv -f -- "$2.$$" "$2"
`;

/** Exits 98 with a message when the unit's lease file ($1) does not hold the lease line ($2). */
const CHECK_LEASE = `
if [ "$(cat -- "$1" 2>/dev/null)" != "$2" ]; then
  echo "ve: stale lease: the host holds $(cat -- "$1" 2>/dev/null || echo none)" >&2
  exit 98
fi
`;

/**
 * The worktree's working state as a commit: every file but ignored ones, on top of HEAD, written
 * through a scratch index (the worktree's own index is left alone) and kept in its repository at $4.
 * Fixed identity and date: an unchanged state is the same commit. Prints `<HEAD> <state commit>`.
 * $1 lease file, $2 lease line, $3 worktree, $4 state ref
 */
export const SNAPSHOT_STATE = `
set -eu
${CHECK_LEASE}
cd -- "$3"
idx=$(mktemp)
trap 'rm -f -- "$idx"' EXIT
export GIT_AUTHOR_NAME=ve GIT_AUTHOR_EMAIL=ve@localhost GIT_AUTHOR_DATE='@0 +0000'
export GIT_COMMITTER_NAME=ve GIT_COMMITTER_EMAIL=ve@localhost GIT_COMMITTER_DATE='@0 +0000'
head=$(git rev-parse HEAD)
GIT_INDEX_FILE=$idx git read-tree HEAD
GIT_INDEX_FILE=$idx git add -A
tree=$(GIT_INDEX_FILE=$idx git write-tree)
state=$(echo 've: working state' | git commit-tree "$tree" -p "$head")
git update-ref "$4" "$state"
echo "$head $state"
`;

/**
 * Makes the worktree hold a state sent by the daemon: the branch at commit $4, then the files of the
 * state commit $5 (both in the mirror, whose objects the worktree shares) as uncommitted changes (untracked files that are not ignored are removed first; ignored
 * ones, such as installed dependencies, stay); and makes the unit's temp folder $6 for the phase.
 * $1 lease file, $2 lease line, $3 worktree
 */
export const APPLY_STATE = `
set -eu
${CHECK_LEASE}
(umask 077 && mkdir -p -- "$6")
cd -- "$3"
git reset -q --hard "$4"
git clean -fdq
git read-tree --reset -u "$5"
git reset -q
`;

/** STOP_PROCESSES for every launch of the unit, under its lease. $1 lease file, $2 lease line,
 * $3 run folder, $4 STOP_PROCESSES */
export const STOP_UNIT = `
set -eu
${CHECK_LEASE}
sh -c "$4" sh "$3" TERM ''
`;

/**
 * Removes a finished unit from the host: its processes, worktree, refs and folder, under its lease.
 * $1 lease file, $2 lease line, $3 mirror, $4 worktree, $5 unit folder, $6 chunk, $7 STOP_PROCESSES
 */
export const REMOVE_UNIT = `
set -eu
${CHECK_LEASE}
sh -c "$7" sh "$5/run" TERM ''
rm -rf -- "$4"
for r in "refs/ve/start/$6" "refs/ve/state/$6"; do
  git -C "$3" update-ref -d "$r" 2>/dev/null || true
done
rm -rf -- "$5"
`;

/**
 * A removed host that came back: every launch of every unit of the project is stopped, then the
 * project's folder goes. $1 project folder, $2 STOP_PROCESSES
 */
export const SWEEP_PROJECT = `
set -eu
[ -d "$1" ] || exit 0
for run in "$1"/units/*/run; do
  [ -d "$run" ] && sh -c "$2" sh "$run" KILL ''
done
rm -rf -- "$1"
`;

/** Where a write to each path would land: \`realpath -m\` follows every symlink, dangling ones too. */
export const LANDING_PATHS = `realpath -m -- "$@"`;

/**
 * What a host has: one line per tool, \`<tool><TAB><version or nothing>\`. bwrap counts only when it
 * can make a namespace for this user (as the OS sandbox needs). $1 Claude Code
 */
export const CHECK_TOOLS = `
first() { sed -n "\${1:-1}p" | tr -d '\\r' | tr '\\t' ' '; }
printf 'git\\t%s\\n' "$(git --version 2>/dev/null | first)"
printf 'claude\\t%s\\n' "$("$1" --version 2>/dev/null | first)"
if bwrap --ro-bind / / --dev /dev --proc /proc true >/dev/null 2>&1; then
  printf 'bwrap\\t%s\\n' "$(bwrap --version 2>/dev/null | first)"
else printf 'bwrap\\t\\n'; fi
printf 'socat\\t%s\\n' "$(socat -V 2>/dev/null | grep -m1 'socat version' | first)"
`;

/**
 * The setup command in the unit's worktree, once: a stamp in the worktree's git directory (it goes
 * with the worktree) records the command that succeeded there, so the same command does not run
 * again and a changed one does. $1 lease file, $2 lease line, $3 worktree, $4 command, $5 timeout (s)
 */
export const SETUP_ONCE = `
set -u
${CHECK_LEASE}
cd -- "$3" || exit 1
stamp="$(git rev-parse --path-format=absolute --git-dir)/ve-setup-done"
if [ -f "$stamp" ] && [ "$(cat -- "$stamp")" = "$4" ]; then exit 0; fi
timeout "$5" sh -c "$4" </dev/null 2>&1 || exit $?
printf '%s\\n' "$4" > "$stamp"
`;
