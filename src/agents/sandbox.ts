/**
 * The sandbox policy (DESIGN §7, reference §7.5): may this tool call run in this worktree? PURE and
 * path-based; the backend adds the symlink check (realpath) on top. Denial reasons are shown to the
 * agent, so they say what to do instead. Best-effort string analysis: one layer of several (prompt
 * rules, GIT_CEILING_DIRECTORIES, this policy, the orchestrator's own mechanical commit).
 */
import { posix } from 'node:path';
import { decideGitSubcommand } from './git-policy.js';
import { type ShellToken, shellTokens } from './shell-words.js';

export interface SandboxContext {
  /** absolute path of the unit's worktree */
  worktree: string;
  /** absolute path of the operator's repository; the worktree usually lives inside it */
  hostRoot: string;
}

/**
 * `paths`: where an allowed Bash command writes or moves to (redirections, `tee`, the arguments of
 * `cp`, `mv`, `touch`, …, `cd` and `git -C` targets), resolved by string; the caller follows
 * symlinks on them, which this pure policy cannot.
 */
export type ToolDecision = { allow: true; paths?: string[] } | { allow: false; reason: string };

const WRITE_TOOLS: Record<string, string> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};
const READ_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS', 'NotebookRead']);
/** absolute places outside the worktree that shell commands may use */
const SCRATCH_DIRS = ['/tmp', '/var/tmp', '/dev'];
const GIT_ENV = /^(GIT_DIR|GIT_WORK_TREE|GIT_COMMON_DIR|GIT_INDEX_FILE|GIT_OBJECT_DIRECTORY)=(.*)$/s;
/** words that may precede the real command name */
const PREFIX_WORDS = new Set(['env', 'sudo', 'command', 'builtin', 'exec', 'time', 'nohup', 'export']);

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash']);
/** commands whose path arguments may be written (or removed, linked, re-moded) */
const WRITING_COMMANDS = new Set([
  'cp',
  'mv',
  'install',
  'ln',
  'touch',
  'rm',
  'rmdir',
  'mkdir',
  'truncate',
  'chmod',
  'chown',
  'rsync',
  'sed',
]);
/** a `..` path segment */
const PARENT_SEGMENT = /(^|\/)\.\.(\/|$)/;

const ALLOW: ToolDecision = { allow: true };
const deny = (reason: string): ToolDecision => ({ allow: false, reason });

export function decideToolUse(toolName: string, input: unknown, ctx: SandboxContext): ToolDecision {
  const c = normalizeContext(ctx);
  const fields = (input ?? {}) as Record<string, unknown>;
  const writeField = WRITE_TOOLS[toolName];
  if (writeField) return decideWrite(toolName, fields[writeField], c);
  if (READ_TOOLS.has(toolName)) return decideRead(toolName, fields.file_path ?? fields.path, c);
  if (toolName === 'Bash') {
    const paths: string[] = [];
    const d = decideBash(String(fields.command ?? ''), c, paths);
    return d.allow && paths.length > 0 ? { allow: true, paths } : d;
  }
  return ALLOW;
}

/** Resolves `p` the way a tool would from `base`; null when it cannot be known here (~, $VAR). */
export function resolveFrom(p: string, base: string): string | null {
  if (p.startsWith('~') || p.includes('$')) return null;
  return posix.resolve(base, p);
}

/** `p` is `dir` or below it, at a `/` boundary (so `<dir>-evil` is not inside). */
export function isInside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** /tmp and friends, unless they hold the host repository (tests keep theirs in /tmp). */
export function isScratch(abs: string, c: SandboxContext): boolean {
  return !isInside(abs, c.hostRoot) && SCRATCH_DIRS.some((d) => isInside(abs, d));
}

function normalizeContext(ctx: SandboxContext): SandboxContext {
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  return { worktree: posix.normalize(strip(ctx.worktree)), hostRoot: posix.normalize(strip(ctx.hostRoot)) };
}

function decideWrite(tool: string, target: unknown, c: SandboxContext): ToolDecision {
  if (typeof target !== 'string' || target === '') return ALLOW; // the tool itself rejects a missing path
  const abs = resolveFrom(target, c.worktree);
  if (abs && isInside(abs, c.worktree)) return ALLOW;
  return deny(
    `Blocked: ${tool} to ${target} is outside your worktree (${c.worktree}). ` +
      'Write only inside the worktree, using paths relative to it.',
  );
}

function decideRead(tool: string, target: unknown, c: SandboxContext): ToolDecision {
  if (typeof target !== 'string' || target === '') return ALLOW;
  const abs = resolveFrom(target, c.worktree);
  // Reading the host repository outside the worktree shows stale or foreign files: point at the copy.
  if (abs && isInside(abs, c.hostRoot) && !isInside(abs, c.worktree)) {
    return deny(
      `Blocked: ${tool} of ${target} reads the host repository, not your worktree. ` +
        'Read the file through a path relative to your worktree instead.',
    );
  }
  return ALLOW;
}

function decideBash(command: string, c: SandboxContext, paths: string[]): ToolDecision {
  const tokens = shellTokens(command);
  // `cd` inside one command moves later relative paths (`cd sub && cd ..` stays inside).
  let cwd = c.worktree;
  let words: string[] = [];
  const finish = (substituted: boolean): ToolDecision => {
    const d = words.length ? decideSimpleCommand(words, c, cwd, paths, substituted) : ALLOW;
    words = [];
    if (d.allow && 'cwd' in d && d.cwd) cwd = d.cwd as string;
    return d;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as ShellToken;
    if (t.kind === 'word') {
      words.push(t.text);
      continue;
    }
    const next = tokens[i + 1];
    if ((t.text === '>' || t.text === '>>') && next?.kind === 'word') {
      if (isSubstitution(tokens[i + 2]) && !isToplevelIdiom(tokens, i + 2)) {
        return deny(UNKNOWN_TARGET(`${t.text} ${next.text}$(…)`));
      }
      const d = decideTargets([next.text], c, cwd, paths);
      if (!d.allow) return d;
      i++;
      continue;
    }
    // a command cut short by `$(`/backticks: its remaining arguments come from the substitution
    const d = finish(isSubstitution(t) && !isToplevelIdiom(tokens, i));
    if (!d.allow) return d;
  }
  const d = finish(false);
  if (!d.allow) return d;
  return decideHostReferences(command, c);
}

const UNKNOWN_TARGET = (what: string) =>
  `Blocked: cannot tell where ${what} leads, so it may leave your worktree. ` +
  'Use a literal path inside the worktree.';

function isSubstitution(t: ShellToken | undefined): boolean {
  return t?.kind === 'op' && (t.text === '$(' || t.text === '`');
}

/** `"$(git rev-parse --show-toplevel)"`: the worktree's own root, the one substitution we can read */
function isToplevelIdiom(tokens: ShellToken[], at: number): boolean {
  const texts = tokens.slice(at + 1, at + 5).map((t) => `${t.kind}:${t.text}`);
  const close = (tokens[at] as ShellToken).text === '$(' ? 'op:)' : 'op:`';
  return texts.join(' ') === `word:git word:rev-parse word:--show-toplevel ${close}`;
}

type Step = ToolDecision & { cwd?: string };

/** One simple command: env assignments, then `cd`/`pushd`, `git`, writers and `..` arguments. */
function decideSimpleCommand(
  words: string[],
  c: SandboxContext,
  cwd: string,
  paths: string[],
  substituted: boolean,
): Step {
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i] as string;
    const env = GIT_ENV.exec(w);
    if (env) {
      const abs = resolveFrom(env[2] as string, cwd);
      if (!abs || !isInside(abs, c.worktree)) {
        return deny(
          `Blocked: ${env[1]} points outside your worktree (${env[2]}). Run git inside the worktree.`,
        );
      }
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || PREFIX_WORDS.has(w) || w.startsWith('-')) continue;
    break;
  }
  const name = words[i];
  const args = words.slice(i + 1);
  const acts = name === 'cd' || name === 'pushd' || name === 'tee' || WRITING_COMMANDS.has(name ?? '');
  if (substituted && acts) return deny(UNKNOWN_TARGET(`${name} $(…)`));
  if (name === 'cd' || name === 'pushd') return decideCd(args, c, cwd, paths);
  const parent = decideParentPaths(words, c, cwd);
  if (!parent.allow) return parent;
  if (name === 'git') return decideGit(args, c, cwd, paths);
  if (SHELLS.has(name ?? '') && args[0] === '-c' && args[1] !== undefined)
    return decideBash(args[1], c, paths);
  if (name === 'eval') return decideBash(args.join(' '), c, paths);
  if (name === 'tee' || WRITING_COMMANDS.has(name ?? '')) {
    return decideTargets(writeTargetsOf(name as string, args), c, cwd, paths);
  }
  return ALLOW;
}

/** The arguments a writing command paths: the destination of `cp`/`mv`/`ln`, the files of `touch`, … */
function writeTargetsOf(name: string, args: string[]): string[] {
  const positional = args.filter((a) => !a.startsWith('-'));
  const dirFlag = args.findIndex((a) => a === '-t' || a === '--target-directory');
  const dirValue = args.find((a) => a.startsWith('--target-directory='))?.slice('--target-directory='.length);
  switch (name) {
    case 'cp':
    case 'mv':
    case 'install':
    case 'rsync':
    case 'ln':
      if (dirFlag >= 0 && args[dirFlag + 1] !== undefined) return [args[dirFlag + 1] as string];
      if (dirValue !== undefined) return [dirValue];
      return positional.length >= 2 ? positional.slice(-1) : [];
    case 'chmod':
    case 'chown':
      return positional.slice(1); // the first is the mode or owner
    case 'sed':
      return args.some((a) => a === '-i' || a.startsWith('-i') || a.startsWith('--in-place'))
        ? positional.slice(1)
        : [];
    default:
      return positional;
  }
}

/**
 * Any argument (or `--opt=`/`VAR=` value) that climbs out of the worktree with `..`: `cp x ../../..`
 * reaches the host repository without ever spelling its path.
 */
function decideParentPaths(words: string[], c: SandboxContext, cwd: string): ToolDecision {
  for (const w of words) {
    const value = /^-{0,2}[A-Za-z0-9_-]+=(.*)$/s.exec(w)?.[1] ?? w;
    if (!PARENT_SEGMENT.test(value)) continue;
    const abs = resolveFrom(value, cwd);
    if (abs === null || isInside(abs, c.worktree) || isScratch(abs, c)) continue;
    return deny(
      `Blocked: ${w} leads out of your worktree (${c.worktree}). ` +
        'Use paths inside the worktree, relative to its root.',
    );
  }
  return ALLOW;
}

function decideCd(args: string[], c: SandboxContext, cwd: string, paths: string[]): Step {
  const target = args.find((a) => a === '-' || !a.startsWith('-'));
  if (target === '-') return ALLOW; // back to the previous directory, which this command cannot see
  if (target === undefined || target.startsWith('~')) {
    return deny('Blocked: cd to your home directory leaves the worktree. Stay inside the worktree.');
  }
  const abs = resolveFrom(target, cwd);
  if (abs === null) return deny(UNKNOWN_TARGET(`cd ${target}`)); // $VAR targets
  if (isScratch(abs, c)) return { allow: true, cwd: abs };
  if (isInside(abs, c.worktree)) {
    paths.push(abs);
    return { allow: true, cwd: abs };
  }
  return deny(
    `Blocked: cd to ${target} leaves your worktree (${c.worktree}). ` +
      'Stay in the worktree and use paths relative to its root.',
  );
}

function decideGit(args: string[], c: SandboxContext, cwd: string, paths: string[]): ToolDecision {
  const shared = decideGitSubcommand(args);
  if (shared !== null) {
    return deny(
      `Blocked: this git command ${shared}. ` +
        'Work on your own branch only; the orchestrator merges it. Use git -c key=value for one-off settings.',
    );
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--git-dir' || a.startsWith('--git-dir=')) {
      return deny('Blocked: git --git-dir is not allowed. Run git from inside your worktree without it.');
    }
    let target: string | undefined;
    if (a === '-C' || a === '--work-tree') target = args[++i];
    else if (a.startsWith('--work-tree=')) target = a.slice('--work-tree='.length);
    else if (a.startsWith('-C') && a.length > 2) target = a.slice(2);
    if (target === undefined) continue;
    const abs = resolveFrom(target, cwd);
    if (!abs || !isInside(abs, c.worktree)) {
      return deny(
        `Blocked: git ${a.startsWith('-C') ? '-C' : '--work-tree'} targets ${target}, outside your worktree. ` +
          'Run git in the worktree itself.',
      );
    }
    paths.push(abs);
  }
  return ALLOW;
}

/**
 * `> file`, `tee file`, `cp … file`: writing outside the worktree (scratch dirs excepted) is denied;
 * targets inside it are collected in `paths` for the symlink check.
 */
function decideTargets(targets: string[], c: SandboxContext, cwd: string, paths: string[]): ToolDecision {
  for (const target of targets) {
    const abs = resolveFrom(target, cwd);
    if (abs === null) return deny(UNKNOWN_TARGET(target)); // `> "$OUT"`, `touch ~/x`
    if (isScratch(abs, c)) continue;
    if (isInside(abs, c.worktree)) {
      paths.push(abs);
      continue;
    }
    return deny(`Blocked: writing to ${target} is outside your worktree. Write only inside the worktree.`);
  }
  return ALLOW;
}

/**
 * Any literal mention of the host repository that does not lie inside the worktree (which itself
 * lives inside the host repository), wherever it appears: arguments, quotes, `$(…)`.
 */
function decideHostReferences(command: string, c: SandboxContext): ToolDecision {
  const h = c.hostRoot;
  for (let at = command.indexOf(h); at !== -1; at = command.indexOf(h, at + 1)) {
    const before = at === 0 ? ' ' : (command[at - 1] as string);
    const after = command[at + h.length] ?? ' ';
    if (!/[\s'"=:(`<>;|&]/.test(before) || !/[\s/'"`;|&)<>:]/.test(after)) continue;
    const path = /^[^\s'"`;|&)<>:]*/.exec(command.slice(at))?.[0] ?? h;
    if (isInside(posix.normalize(path.replace(/\/+$/, '') || '/'), c.worktree)) continue;
    return deny(
      `Blocked: the command references the host repository (${h}). ` +
        `Work only inside your worktree (${c.worktree}) with relative paths.`,
    );
  }
  return ALLOW;
}
