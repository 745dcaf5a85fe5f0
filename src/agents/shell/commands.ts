/**
 * The simple commands the shell policy knows (PURE): assignments, wrappers that run another command
 * (`env`, `nohup`, `timeout`, `xargs`, …), `cd`, shells and `eval` with their command strings, `find`,
 * `git` and the file writers of `writers.ts`. Everything else is a program that may read anything in
 * reach and write only where its arguments say (`..` and `~` arguments are checked for all of them).
 */
import { isInside, isScratch } from '../sandbox-paths.js';
import type { Command, Redirect, Word } from './ast.js';
import { type At, type Cwd, commandName, type Flow, same, UNKNOWN_TARGET } from './flow.js';
import { runFind, runGit } from './git-find.js';
import { hasOption, literalWord, type OptionSpec, optionValues, parseOptions } from './options.js';
import type { ShellWalk } from './policy.js';
import { ASSIGNMENT, checkAssignment, checkNameref, runDeclare, runVariableReader } from './variables.js';
import { writeTargetsOf } from './writers.js';

type Call = Extract<Command, { kind: 'call' }>;

/** the declaration builtins (a DeclClause comes as a call named after them) */
const DECLARE = new Set(['export', 'declare', 'local', 'readonly', 'typeset', 'nameref']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox', 'source', '.']);
/** script operands that mean "read the commands from stdin" */
const READS_STDIN = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0', '-']);
/** the path a `<(…)` word stands for (`parse.ts`) */
const PROC_SUBST = '/dev/fd/63';
const COMPUTED_SCRIPT = (name: string) =>
  `Blocked: ${name} runs a script produced at run time (<(…)), so it cannot be checked. Run the commands directly.`;
/** running as someone else or changing the mount table makes the worktree boundary meaningless */
const NEVER = new Set(['sudo', 'doas', 'su', 'pkexec', 'mount', 'umount', 'chroot', 'nsenter', 'unshare']);

/** Commands that run the command after their own options; `skip`: operands of their own first. */
const WRAPPERS: Record<string, OptionSpec & { skip?: number; targets?: readonly string[] }> = {
  nohup: {},
  setsid: {},
  unbuffer: {},
  builtin: {},
  exec: { short: 'a' },
  stdbuf: { short: 'ioe', long: ['input', 'output', 'error'] },
  nice: { short: 'n', long: ['adjustment'] },
  ionice: { short: 'cnp', long: ['class', 'classdata', 'pid'] },
  timeout: { short: 'ks', long: ['kill-after', 'signal'], skip: 1 },
  taskset: { skip: 1 },
  chrt: { skip: 1 },
  // GNU time: `-o FILE` writes its report there
  time: { short: 'fo', long: ['format', 'output'], targets: ['o', 'output'] },
};
const XARGS: OptionSpec = {
  short: 'adEILnPs',
  attached: 'eil',
  long: [
    'arg-file',
    'delimiter',
    'eof',
    'replace',
    'max-lines',
    'max-args',
    'max-procs',
    'max-chars',
    'process-slot-var',
  ],
};
const SHELL_OPTIONS: OptionSpec = { short: 'oO', long: ['rcfile', 'init-file'] };
const ENV_OPTIONS: OptionSpec = { short: 'uCS', long: ['unset', 'chdir', 'split-string'] };

/** A simple command with its assignments: the code in its words, then the command itself. */
export function runCall(walk: ShellWalk, call: Call, redirs: Redirect[], cwds: Cwd[], depth: number): Flow {
  for (const a of call.assigns) {
    walk.subshells(a.nested, cwds, depth);
    checkAssignment(walk, a.name, a.value, cwds, depth);
  }
  walk.words(call.args, cwds, depth);
  if (DECLARE.has(call.args[0]?.value ?? '')) checkNameref(walk, call.args.slice(1), call.assigns);
  walk.parentPaths([...call.args, ...call.assigns.flatMap((a) => (a.value ? [a.value] : []))], cwds);
  if (call.args.length === 0) return same(cwds);
  return runCommand(walk, call.args, { redirs, cwds, depth, mode: { extraArgs: false } });
}

/** `args[0]` with its arguments, after any wrapper in front of it has been taken off. */
export function runCommand(walk: ShellWalk, args: Word[], at: At): Flow {
  const { redirs, cwds, depth, mode } = at;
  const head = args[0];
  if (!head) return same(cwds);
  const rest = args.slice(1);
  if (head.toplevel) return same(cwds); // a program inside the worktree: what it does is its own
  const name = commandName(head);
  if (name === null) {
    walk.deny(
      `Blocked: the command name ${head.text} is known only at run time, so what it writes cannot be checked. ` +
        'Name the command literally.',
    );
  }
  if (NEVER.has(name))
    walk.deny(`Blocked: ${name} is not allowed for agents. Work as yourself, inside the worktree.`);
  const wrapper = WRAPPERS[name];
  if (wrapper) {
    const p = parseOptions(rest, wrapper, true);
    walk.targets(optionValues(p, wrapper.targets ?? []), cwds);
    return runCommand(walk, rest.slice(p.firstOperand + (wrapper.skip ?? 0)), at);
  }
  switch (name) {
    case 'command': {
      const p = parseOptions(rest, {}, true);
      if (hasOption(p, ['v', 'V'])) return same(cwds); // only looks the name up
      return runCommand(walk, rest.slice(p.firstOperand), at);
    }
    case 'env':
      return runEnv(walk, rest, at);
    case 'xargs':
      return runXargs(walk, rest, cwds, depth);
    case 'cd':
    case 'pushd':
    case 'popd':
    case 'chdir':
      if (mode.extraArgs) walk.deny(`Blocked: xargs ${name} cannot be checked. Use cd with a literal path.`);
      return runCd(walk, name, rest, cwds);
    case 'eval': {
      if (rest.some((w) => w.value === null)) {
        walk.deny(
          'Blocked: eval of a string computed at run time cannot be checked. Run the commands directly.',
        );
      }
      return same(walk.nestedString(rest.map((w) => w.value).join(' '), cwds, depth, 'the eval string'));
    }
    case 'trap':
      return runTrap(walk, rest, cwds, depth);
    case 'export':
    case 'declare':
    case 'local':
    case 'readonly':
    case 'typeset':
      runDeclare(walk, rest, cwds, depth);
      return same(cwds);
    case 'read':
    case 'printf':
      runVariableReader(walk, name, rest);
      return same(cwds);
    case 'alias':
      for (const w of rest) {
        const m = w.value === null ? null : ASSIGNMENT.exec(w.value);
        if (w.value === null)
          walk.deny('Blocked: an alias computed at run time cannot be checked. Run the command directly.');
        if (m) walk.nestedString(m[2] as string, cwds, depth, `the alias ${m[1]}`);
      }
      return same(cwds);
    case 'git':
      return runGit(walk, rest, cwds, depth);
    case 'find':
      return runFind(walk, rest, cwds, depth);
  }
  if (SHELLS.has(name)) return runShell(walk, name, rest, redirs, cwds, depth);
  const written = writeTargetsOf(name, rest);
  if (written) {
    if (mode.extraArgs && written.takesOperands) {
      walk.deny(
        `Blocked: xargs hands ${name} file names read at run time, so where it writes cannot be known. ` +
          'Name the files, or use find … -delete / -exec inside the worktree.',
      );
    }
    const unknown = written.unknownArgs[0];
    if (unknown) {
      walk.deny(
        `Blocked: ${unknown.text} is known only at run time and could be an option of ${name} naming where it writes, ` +
          `or several words. Quote it and start it with ./ ("./$f"), or put -- before the file names.`,
      );
    }
    walk.targets(written.targets, cwds);
    checkHardLinks(walk, name, written.hardLinked, cwds);
    for (const to of written.symlinked) {
      if (to.value === null) walk.deny(UNKNOWN_TARGET(`the symlink to ${to.text}`));
    }
  }
  return same(cwds);
}

/** a hard link shares the file: writing the link later writes the original outside */
function checkHardLinks(walk: ShellWalk, name: string, files: Word[], cwds: Cwd[]): void {
  for (const f of files) {
    for (const cwd of cwds) {
      const abs = walk.resolve(f, cwd, `${name} of`);
      if (isInside(abs, walk.c.worktree) || isScratch(abs, walk.c)) continue;
      walk.deny(
        `Blocked: ${name} would hard-link ${f.text}, which lies outside your worktree, so later writes would change it. ` +
          'Copy the file instead (cp without -l), or use ln -s.',
      );
    }
  }
}

function runEnv(walk: ShellWalk, args: Word[], at: At): Flow {
  const { cwds, depth } = at;
  const p = parseOptions(args, ENV_OPTIONS, true);
  if (hasOption(p, ['S', 'split-string'])) {
    walk.deny('Blocked: env -S hides the command in a string. Write the command out directly.');
  }
  let dirs = cwds;
  for (const dir of optionValues(p, ['C', 'chdir'])) dirs = walk.cdTo(dir, dirs, 'env -C');
  let i = p.firstOperand;
  for (; i < args.length; i++) {
    const w = args[i] as Word;
    const m = ASSIGNMENT.exec(w.value ?? w.prefix);
    if (!m) break;
    const value = w.value === null ? literalWord(w.text, null) : literalWord(w.text, m[2] as string);
    checkAssignment(walk, m[1] as string, value, dirs, depth);
  }
  runCommand(walk, args.slice(i), { ...at, cwds: dirs });
  return same(cwds);
}

function runXargs(walk: ShellWalk, args: Word[], cwds: Cwd[], depth: number): Flow {
  const p = parseOptions(args, XARGS, true);
  const replace =
    p.values.get('I')?.[0]?.value ??
    p.values.get('replace')?.[0]?.value ??
    p.values.get('i')?.[0]?.value ??
    (p.flags.has('i') || p.flags.has('replace') ? '{}' : null);
  let inner = args.slice(p.firstOperand);
  if (replace !== null) {
    // -I: each input line replaces the string inside the arguments; nothing is appended
    inner = inner.map((w) =>
      w.value?.includes(replace)
        ? { ...literalWord(w.text, null), prefix: w.value.slice(0, w.value.indexOf(replace)) }
        : w,
    );
  }
  runCommand(walk, inner, { redirs: [], cwds, depth, mode: { extraArgs: replace === null } });
  return same(cwds);
}

function runCd(walk: ShellWalk, name: string, args: Word[], cwds: Cwd[]): Flow {
  if (name === 'popd') return { ok: [null], fail: cwds };
  // cd's own options are -L, -P, -e, -@; the first other word is the directory
  const target = args.find((w) => w.value === null || w.value === '-' || !/^-[LPe@]*$/.test(w.value));
  if (target === undefined) {
    if (name === 'pushd') return { ok: [null], fail: cwds }; // swaps the top two directories
    return walk.deny('Blocked: cd to your home directory leaves the worktree. Stay inside the worktree.');
  }
  // `cd -` goes back to a directory this command may not have seen; pushd +N rotates the stack
  if (target.value === '-' || (name === 'pushd' && /^[+-]\d+$/.test(target.value ?? ''))) {
    return { ok: [null], fail: cwds };
  }
  if (target.value === null && !target.toplevel) walk.deny(UNKNOWN_TARGET(`${name} ${target.text}`));
  return { ok: walk.cdTo(target, cwds, name), fail: cwds };
}

function runTrap(walk: ShellWalk, args: Word[], cwds: Cwd[], depth: number): Flow {
  const p = parseOptions(args, {}, true);
  const action = args[p.firstOperand];
  if (hasOption(p, ['p', 'l']) || !action || args.length - p.firstOperand < 2) return same(cwds);
  if (action.value === null)
    walk.deny('Blocked: a trap action computed at run time cannot be checked. Use a literal command.');
  if (action.value !== '-' && action.value !== '')
    walk.nestedString(action.value, cwds, depth, 'the trap action');
  return same(cwds);
}

/**
 * `bash -c 'script'` reads the script; `bash file` runs a file (beyond the text, like any program);
 * `bash` alone reads stdin: a here-document can be read, a pipe cannot.
 */
function runShell(
  walk: ShellWalk,
  name: string,
  args: Word[],
  redirs: Redirect[],
  cwds: Cwd[],
  depth: number,
): Flow {
  const p = parseOptions(args, SHELL_OPTIONS, true);
  const script = args[p.firstOperand];
  if (p.flags.has('c')) {
    if (!script) return same(cwds);
    if (script.value === null) {
      walk.deny(
        `Blocked: the script of ${name} -c is computed at run time, so it cannot be checked. Run the commands directly.`,
      );
    }
    walk.nestedString(script.value, cwds, depth, `the ${name} -c script`);
    return same(cwds);
  }
  if (script && !p.flags.has('s') && !READS_STDIN.has(script.value ?? '')) {
    // a file: what it does is beyond the text; but `<(…)` hands over a computed script
    if (script.value === PROC_SUBST) walk.deny(COMPUTED_SCRIPT(name));
    return same(cwds);
  }
  const stdin = redirs
    .filter((r) => r.op === '<<' || r.op === '<<-' || r.op === '<<<' || r.op === '<')
    .at(-1);
  if (stdin?.op === '<') return same(cwds); // a script file
  const text = stdin ? (stdin.op === '<<<' ? stdin.target : stdin.heredoc) : null;
  if (!text || text.value === null) {
    walk.deny(
      `Blocked: ${name} reading its commands from a pipe hides them from this check. ` +
        'Run the commands directly, or with bash -c.',
    );
  }
  const after = walk.nestedString(text.value, cwds, depth, `the script fed to ${name}`);
  // `source` runs it in this shell, so its `cd` moves the commands after it
  return same(name === 'source' || name === '.' ? after : cwds);
}
