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
 * $1 lease file, $2 mirror, $3 branch ref */
export const READ_UNIT = `
cat -- "$1" 2>/dev/null || true
echo ---
git -C "$2" rev-parse -q --verify "$3^{commit}" || true
`;

/**
 * (Re)creates a unit's worktree from the mirror: a stale copy's processes are stopped and its
 * worktree removed, then `worktree add -B` puts the branch at the start point, and the lease is
 * written last (0600), so a half-made worktree never carries a valid lease. Prints HEAD, the git dir
 * and the common dir.
 * $1 mirror, $2 worktree, $3 unit folder, $4 branch, $5 start ref, $6 lease line, $7 STOP_PROCESSES
 */
export const CREATE_WORKTREE = `
set -eu
mirror=$1 wt=$2 unit=$3 branch=$4 start=$5 lease=$6 stop=$7
mkdir -p -- "$unit/run"
sh -c "$stop" sh "$unit/run" TERM ''
rm -f -- "$unit/lease"
if [ -e "$wt" ]; then git -C "$mirror" worktree remove --force "$wt" 2>/dev/null || rm -rf -- "$wt"; fi
git -C "$mirror" worktree prune
mkdir -p -- "\${wt%/*}"
git -C "$mirror" worktree add -q -B "$branch" "$wt" "$start" >&2
(umask 077 && printf '%s\\n' "$lease" > "$unit/lease.tmp" && mv -f -- "$unit/lease.tmp" "$unit/lease")
cd -- "$wt"
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
