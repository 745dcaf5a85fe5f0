/**
 * `git` and `find` for the shell policy (PURE). git: its global options (`-C`, `--work-tree`,
 * `--git-dir`, `-c` settings that run commands), the subcommands that reach shared state
 * (`git-policy.ts`) and the files some subcommands write. find: `-delete`, `-fprint` files and the
 * commands of `-exec`/`-execdir`, read with `{}` standing for a file below each starting point.
 */
import { posix } from 'node:path';
import { decideGitSubcommand, gitConfigCommand } from '../git-policy.js';
import { isInside } from '../sandbox-paths.js';
import type { Word } from './ast.js';
import { type Cwd, type Flow, same, UNKNOWN_TARGET } from './flow.js';
import {
  derived,
  isOperandPrefix,
  literalWord,
  type OptionSpec,
  optionValues,
  parseOptions,
} from './options.js';
import type { ShellWalk } from './policy.js';

/** global options that take the next word as their value */
const GIT_VALUE_OPTIONS = new Set([
  '-C',
  '-c',
  '--namespace',
  '--super-prefix',
  '--config-env',
  '--work-tree',
  '--git-dir',
  '--list-cmds',
]);

/** subcommands whose flags decide whether they touch shared state (`git-policy.ts`) */
const FLAG_SENSITIVE = new Set([
  'config',
  'symbolic-ref',
  'branch',
  'tag',
  'reflog',
  'worktree',
  'remote',
  'submodule',
  'checkout',
  'switch',
]);

/** subcommands that write files named in their arguments */
const GIT_WRITES: Record<string, OptionSpec & { targets: (operands: Word[]) => Word[]; options: string[] }> =
  {
    init: {
      short: 'b',
      long: ['template', 'separate-git-dir', 'object-format', 'initial-branch', 'shared'],
      targets: (o) => o.slice(0, 1),
      options: ['separate-git-dir'],
    },
    clone: {
      short: 'obcju',
      long: [
        'origin',
        'branch',
        'config',
        'depth',
        'reference',
        'upload-pack',
        'template',
        'separate-git-dir',
        'jobs',
        'filter',
        'shallow-since',
        'shallow-exclude',
        'server-option',
      ],
      targets: (o) => o.slice(1, 2),
      options: ['separate-git-dir'],
    },
    archive: {
      short: 'o',
      long: ['output', 'format', 'prefix', 'remote', 'exec'],
      targets: () => [],
      options: ['o', 'output'],
    },
    'format-patch': {
      short: 'o',
      long: ['output-directory'],
      targets: () => [],
      options: ['o', 'output-directory'],
    },
    bundle: { targets: (o) => (o[0]?.value === 'create' ? o.slice(1, 2) : []), options: [] },
    diff: { targets: () => [], options: ['output'] },
    log: { targets: () => [], options: ['output'] },
    show: { targets: () => [], options: ['output'] },
  };

export function runGit(walk: ShellWalk, args: Word[], cwds: Cwd[], depth: number): Flow {
  let i = 0;
  for (; i < args.length; i++) {
    const w = args[i] as Word;
    if (w.value === null) {
      walk.deny('Blocked: a git option or subcommand computed at run time cannot be checked. Spell it out.');
    }
    const v = w.value;
    if (!v.startsWith('-')) break;
    const eq = v.startsWith('--') ? v.indexOf('=') : -1;
    const opt = eq === -1 ? (v.startsWith('-C') ? '-C' : v) : v.slice(0, eq);
    if (opt === '--git-dir')
      walk.deny('Blocked: git --git-dir is not allowed. Run git from inside your worktree without it.');
    let value: Word | undefined;
    if (eq !== -1) value = derived(w, v.slice(eq + 1));
    else if (opt === '-C' && v.length > 2) value = derived(w, v.slice(2));
    else if (GIT_VALUE_OPTIONS.has(opt)) value = args[++i];
    if (value === undefined) continue;
    if (opt === '-C' || opt === '--work-tree') gitDirectory(walk, opt, value, cwds);
    if (opt === '-c' || opt === '--config-env') gitSetting(walk, opt, value, cwds, depth);
  }
  const sub = args[i];
  if (!sub) return same(cwds);
  const hidden = args.slice(i + 1).find((w) => w.value === null && (w.splits || !/^[^-]/.test(w.prefix)));
  if (hidden && FLAG_SENSITIVE.has(sub.value as string)) {
    walk.deny(
      `Blocked: ${hidden.text} is known only at run time and could be an option of git ${sub.value} (such as -D). ` +
        'Spell the arguments out.',
    );
  }
  const shared = decideGitSubcommand(args.map((w) => w.value ?? w.text));
  if (shared !== null) {
    walk.deny(
      `Blocked: this git command ${shared}. ` +
        'Work on your own branch only; the orchestrator merges it. Use git -c key=value for one-off settings.',
    );
  }
  const writes = GIT_WRITES[sub.value as string];
  if (writes) {
    const p = parseOptions(args.slice(i + 1), writes);
    if (p.unknown[0]) walk.deny(UNKNOWN_TARGET(`git ${sub.value} ${p.unknown[0].text}`));
    walk.targets([...writes.targets(p.operands), ...optionValues(p, writes.options)], cwds);
  }
  return same(cwds);
}

function gitDirectory(walk: ShellWalk, opt: string, target: Word, cwds: Cwd[]): void {
  for (const cwd of cwds) {
    const abs =
      target.value?.startsWith('~') || (cwd === null && !target.value?.startsWith('/'))
        ? null
        : walk.resolve(target, cwd, `git ${opt}`);
    if (abs === null || !isInside(abs, walk.c.worktree)) {
      walk.deny(
        `Blocked: git ${opt} targets ${target.text}, outside your worktree. Run git in the worktree itself.`,
      );
    }
    walk.paths.push(abs);
  }
}

/** `-c alias.x='!cmd'`, `-c core.pager=cmd`: a command git will run, read like `bash -c` */
function gitSetting(walk: ShellWalk, opt: string, setting: Word, cwds: Cwd[], depth: number): void {
  if (setting.value === null) {
    walk.deny(`Blocked: a git ${opt} setting computed at run time cannot be checked. Spell it out.`);
  }
  const eq = setting.value.indexOf('=');
  const key = eq === -1 ? setting.value : setting.value.slice(0, eq);
  const value = eq === -1 ? '' : setting.value.slice(eq + 1);
  if (opt === '--config-env') {
    if (gitConfigCommand(key, 'x') !== null) {
      walk.deny(
        `Blocked: git --config-env ${key} runs a command from a variable. Use git -c with a literal value.`,
      );
    }
    return;
  }
  const command = gitConfigCommand(key, value);
  if (command !== null) walk.nestedString(command, cwds, depth, `the git setting ${key}`);
}

const FIND_OUTPUT = new Set(['-fprint', '-fprint0', '-fls', '-fprintf']);
const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);
const FIND_OPERATOR = new Set(['(', ')', '!', ',']);
/** tests and options that take the next word as their value */
const FIND_VALUE = new Set(
  [
    'name',
    'iname',
    'path',
    'ipath',
    'wholename',
    'iwholename',
    'regex',
    'iregex',
    'lname',
    'ilname',
    'type',
    'xtype',
    'newer',
    'anewer',
    'cnewer',
    'mtime',
    'atime',
    'ctime',
    'mmin',
    'amin',
    'cmin',
    'size',
    'user',
    'group',
    'uid',
    'gid',
    'perm',
    'maxdepth',
    'mindepth',
    'links',
    'inum',
    'samefile',
    'fstype',
    'context',
    'printf',
    'regextype',
    'used',
  ].map((p) => `-${p}`),
);

export function runFind(walk: ShellWalk, args: Word[], cwds: Cwd[], depth: number): Flow {
  let i = 0;
  let follow = false;
  for (; /^-(H|L|P|D|O\d*)$/.test(args[i]?.value ?? ''); i++) {
    if (args[i]?.value === '-L' || args[i]?.value === '-H') follow = true;
    if (args[i]?.value === '-D') i++;
  }
  const roots: Word[] = [];
  for (; i < args.length; i++) {
    const w = args[i] as Word;
    if (w.value === null && (w.splits || !isOperandPrefix(w.prefix))) hiddenExpression(walk, w);
    if (w.value !== null && (w.value.startsWith('-') || FIND_OPERATOR.has(w.value))) break;
    roots.push(w);
  }
  if (roots.length === 0) roots.push(literalWord('.'));
  let writes = false;
  for (; i < args.length; i++) {
    const v = args[i]?.value;
    if (v === null) hiddenExpression(walk, args[i] as Word);
    if (v && FIND_VALUE.has(v)) {
      i++; // -name "$pattern": a value, not an action
      continue;
    }
    if (v === '-follow') follow = true;
    if (v === '-delete') {
      walk.targets(roots, cwds);
      writes = true;
    } else if (v && FIND_OUTPUT.has(v)) {
      walk.targets(args.slice(i + 1, i + 2), cwds);
      i += v === '-fprintf' ? 2 : 1;
      writes = true;
    } else if (v && FIND_EXEC.has(v)) {
      let end = i + 1;
      while (
        end < args.length &&
        !(args[end]?.value === ';' || (args[end]?.value === '+' && args[end - 1]?.value === '{}'))
      )
        end++;
      for (const root of roots) findExec(walk, v.endsWith('dir'), root, args.slice(i + 1, end), cwds, depth);
      i = end;
      writes = true;
    }
  }
  if (follow && writes) {
    walk.deny(
      'Blocked: find -L/-follow follows symlinks out of the worktree while it changes files. Drop -L.',
    );
  }
  return same(cwds);
}

function hiddenExpression(walk: ShellWalk, w: Word): never {
  return walk.deny(
    `Blocked: the find argument ${w.text} is known only at run time and could hide -delete or -exec. ` +
      'Spell the expression out.',
  );
}

/** `-exec cmd {} ;` from `root`: `{}` is a file below it; `-execdir` runs in that file's directory */
function findExec(
  walk: ShellWalk,
  inDir: boolean,
  root: Word,
  command: Word[],
  cwds: Cwd[],
  depth: number,
): void {
  const file = inDir ? './_' : root.value === null ? null : `${root.value}/_`;
  const words = command.map((w) =>
    w.value?.includes('{}')
      ? file === null
        ? { ...literalWord(w.text, null), prefix: w.value.slice(0, w.value.indexOf('{}')) }
        : literalWord(w.text, w.value.replaceAll('{}', file))
      : w,
  );
  // the directory of each file found: the root or one below it, and for the root itself its parent
  // (GNU find runs `find sub -execdir` once in `.` with `./sub`; `find . -execdir` stays in `.`)
  const dirs = inDir
    ? cwds.flatMap((cwd) => {
        if (root.value === null || (cwd === null && !root.value.startsWith('/'))) return [null];
        const abs = posix.resolve(cwd ?? '/', root.value);
        return posix.basename(root.value) === '.' ? [abs] : [abs, posix.dirname(abs)];
      })
    : cwds;
  walk.runCommand(words, { redirs: [], cwds: [...new Set(dirs)], depth, mode: { extraArgs: false } });
}
