/**
 * Variables the shell policy watches (PURE): git's location variables must point into the worktree;
 * variables git or bash run as commands are read like `bash -c`; some may not be set at all. Covers
 * plain assignments, `export`/`declare`/`local` (also quoted: `export "GIT_DIR=…"`), namerefs, and
 * `read`/`printf -v`, which set a variable from data known only at run time.
 */
import { isInside } from '../sandbox-paths.js';
import type { Assign, Word } from './ast.js';
import type { Cwd } from './flow.js';
import { literalWord, parseOptions } from './options.js';
import type { ShellWalk } from './policy.js';

export const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** git's location variables: they must point into the worktree */
const GIT_LOCATION_VARS = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
]);
/** variables whose value git or the shell runs as a command (`sh -c "$GIT_PAGER"`) */
const COMMAND_VARS = new Set([
  'GIT_PAGER',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'GIT_SSH_COMMAND',
  'GIT_EXTERNAL_DIFF',
  'PAGER',
  'EDITOR',
  'VISUAL',
]);
/** variables that change where `cd` goes, inject git configuration or run code at odd moments */
const FORBIDDEN_VARS: Record<string, string> = {
  CDPATH: 'changes where cd goes',
  OLDPWD: 'changes where cd - goes',
  GIT_CONFIG_PARAMETERS: 'injects git configuration (use git -c key=value)',
  GIT_CONFIG_COUNT: 'injects git configuration (use git -c key=value)',
  PROMPT_COMMAND: 'runs code the policy cannot see',
  PS0: 'runs code the policy cannot see',
  PS4: 'runs code the policy cannot see',
  BASH_ENV: 'runs a file before every script',
  ENV: 'runs a file before every script',
};

/** a variable this module has rules for */
function isWatched(name: string): boolean {
  return (
    GIT_LOCATION_VARS.has(name) ||
    COMMAND_VARS.has(name) ||
    name in FORBIDDEN_VARS ||
    /^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(name)
  );
}

export function checkAssignment(
  walk: ShellWalk,
  name: string,
  value: Word | null,
  cwds: Cwd[],
  depth: number,
): void {
  const forbidden =
    FORBIDDEN_VARS[name] ??
    (/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(name) ? FORBIDDEN_VARS.GIT_CONFIG_COUNT : undefined);
  if (forbidden) walk.deny(`Blocked: setting ${name} ${forbidden}. Leave ${name} alone.`);
  if (GIT_LOCATION_VARS.has(name) && value) {
    for (const cwd of cwds) {
      const inside = value.value !== null && !value.value.startsWith('~') && isInsideFrom(walk, value, cwd);
      if (!inside) {
        walk.deny(
          `Blocked: ${name} points outside your worktree (${value.text}). Run git inside the worktree.`,
        );
      }
    }
  }
  if (COMMAND_VARS.has(name) && value) {
    if (value.value === null) {
      walk.deny(
        `Blocked: ${name} is computed at run time and git runs it as a command. Use a literal value.`,
      );
    }
    walk.nestedString(value.value, cwds, depth, name);
  }
}

function isInsideFrom(walk: ShellWalk, w: Word, cwd: Cwd): boolean {
  if (cwd === null && !w.value?.startsWith('/')) return false;
  return isInside(walk.resolve(w, cwd, 'the path'), walk.c.worktree);
}

/**
 * The words after `export`/`declare`/`local`/…: flags, names, and assignments written as one quoted
 * word (`export "GIT_DIR=$X"`), which the parser cannot tell from a flag.
 */
export function runDeclare(walk: ShellWalk, args: Word[], cwds: Cwd[], depth: number): void {
  for (const w of args) {
    const m = ASSIGNMENT.exec(w.value ?? w.prefix);
    if (m) {
      const value = w.value === null ? literalWord(w.text, null) : literalWord(w.text, m[2] as string);
      checkAssignment(walk, m[1] as string, value, cwds, depth);
    } else if (w.value === null) {
      walk.deny(`Blocked: ${w.text} declares a variable computed at run time. Write the assignment out.`);
    }
  }
}

/** `declare -n r=GIT_DIR`: every later `r=…` sets the variable the nameref names */
export function checkNameref(walk: ShellWalk, flags: Word[], assigns: Assign[]): void {
  if (!flags.some((w) => /^-[a-zA-Z]*n/.test(w.value ?? ''))) return;
  for (const a of assigns) {
    const target = a.value?.value ?? null;
    if (target === null || isWatched(target)) {
      walk.deny(
        `Blocked: ${a.name} would be a nameref to ${target ?? 'a name computed at run time'}. Assign the variable directly.`,
      );
    }
  }
}

/** `read VAR`, `printf -v VAR`: a watched variable set from data known only at run time */
export function runVariableReader(walk: ShellWalk, name: 'read' | 'printf', args: Word[]): void {
  const p = parseOptions(args, { short: name === 'read' ? 'adinNptu' : 'v' });
  const names = name === 'printf' ? (p.values.get('v') ?? []) : [...p.operands, ...(p.values.get('a') ?? [])];
  for (const n of names) {
    if (n.value === null || isWatched(n.value.replace(/\[.*$/, ''))) {
      walk.deny(
        `Blocked: ${name} sets ${n.text} from data known only at run time. Assign it a literal value.`,
      );
    }
  }
}
