/**
 * The shell half of the sandbox policy (PURE): may this Bash command run in the unit's worktree?
 * The command is parsed by a real shell parser (`parse.ts`) and walked: every command, including
 * those in subshells, `$(…)`, pipelines, `&&`/`||`, loops, function bodies and nested command strings
 * (`eval`, `bash -c`, `trap`, `xargs sh -c`, `find -exec`), and every redirection. Writes, `cd` and
 * `git -C` must stay in the worktree (or a scratch directory); what cannot be known — `$VAR` targets,
 * `~`, a shell fed from a pipe — is denied. It tracks the directories a command may be in as it runs,
 * so `cd src && cp ../a b` is read from `src`. Programs that compute their own paths (`node -e`, a
 * script the agent wrote) are beyond any reading of the text: docs/security.md, "residue".
 */
import { posix } from 'node:path';
import {
  isDeviceFile,
  isInside,
  isScratch,
  type SandboxContext,
  type ToolDecision,
} from '../sandbox-paths.js';
import type { Redirect, Script, Stmt, Word } from './ast.js';
import { runCall, runCommand } from './commands.js';
import { type At, type Cwd, Denied, type Flow, same, UNKNOWN_TARGET, union } from './flow.js';
import { parseBudget, parseShell, ShellSyntaxError, ShellTooLargeError } from './parse.js';

/** how deep command strings may nest: `eval "bash -c '…'"` is two */
const MAX_DEPTH = 4;

/** a `..` path segment */
const PARENT_SEGMENT = /(^|\/)\.\.(\/|$)/;
/** a segment that a glob can expand to `..` (`.*`, `.?`): bash before 5.2 matches it */
const DOT_GLOB_SEGMENT = /(^|\/)\.[^/]*[*?[][^/]*/g;

export function decideShell(command: string, c: SandboxContext): ToolDecision {
  const walk = new ShellWalk(c);
  try {
    walk.top(command);
  } catch (err) {
    if (err instanceof Denied) return { allow: false, reason: err.message };
    throw err;
  }
  const paths = [...new Set(walk.paths)];
  return paths.length > 0 ? { allow: true, paths } : { allow: true };
}

export class ShellWalk {
  /** targets inside the worktree or in scratch directories, for the caller's symlink check */
  readonly paths: string[] = [];
  /**
   * function bodies: read at the end, from every directory the command visited, as deep in command
   * strings as they were defined (a function must not reset the nesting limit)
   */
  private readonly functions: { body: Stmt; depth: number }[] = [];
  private readonly visited = new Set<Cwd>();
  private readonly budget = parseBudget();

  constructor(readonly c: SandboxContext) {}

  top(command: string): void {
    this.script(this.parse(command, 'The command'), [this.c.worktree], 0);
    for (let i = 0; i < this.functions.length; i++) {
      const from = [...this.visited];
      const { body, depth } = this.functions[i] as { body: Stmt; depth: number };
      const after = this.stmt(body, from, depth);
      if (union(after.ok, after.fail).some((d) => !from.includes(d))) {
        throw new Denied(
          'Blocked: a function body changes directory, so the paths after each call cannot be known. ' +
            'Use cd outside functions, or paths relative to the worktree root.',
        );
      }
    }
  }

  /** `args[0]` with its arguments, as `find -exec` or a wrapper runs it */
  runCommand(args: Word[], at: At): Flow {
    return runCommand(this, args, at);
  }

  deny(reason: string): never {
    throw new Denied(reason);
  }

  /** Reads a command string (`bash -c`, `eval`, `trap`) one level deeper; returns where it ends. */
  nestedString(text: string, cwds: Cwd[], depth: number, what: string): Cwd[] {
    if (depth + 1 > MAX_DEPTH) {
      this.deny(`Blocked: ${what} nests command strings too deeply to check. Run the commands directly.`);
    }
    return this.script(this.parse(text, what), cwds, depth + 1);
  }

  private parse(text: string, what: string): Script {
    try {
      return parseShell(text, this.budget);
    } catch (err) {
      if (err instanceof ShellTooLargeError) {
        return this.deny(
          `Blocked: ${what} is too large to check (${err.message}). Split it into smaller commands, ` +
            'and write file contents with the Write tool.',
        );
      }
      if (!(err instanceof ShellSyntaxError)) throw err;
      return this.deny(
        `Blocked: ${what} is not valid bash (${err.message}), so it cannot be checked. ` +
          'Fix its quoting, or split it into simpler commands.',
      );
    }
  }

  script(stmts: Script, cwds: Cwd[], depth: number): Cwd[] {
    let at = cwds;
    for (const s of stmts) {
      const flow = this.stmt(s, at, depth);
      at = union(flow.ok, flow.fail);
    }
    return at;
  }

  /** a subshell: its `cd` does not move the caller */
  subshells(scripts: Script[], cwds: Cwd[], depth: number): void {
    for (const s of scripts) this.script(s, cwds, depth);
  }

  private stmt(s: Stmt, cwds: Cwd[], depth: number): Flow {
    for (const d of cwds) this.visited.add(d);
    for (const r of s.redirs) this.redirect(r, cwds, depth);
    let flow = this.command(s, cwds, depth);
    if (s.background) flow = same(cwds);
    return s.negated ? { ok: flow.fail, fail: flow.ok } : flow;
  }

  private command(s: Stmt, cwds: Cwd[], depth: number): Flow {
    const cmd = s.cmd;
    switch (cmd.kind) {
      case 'empty':
        return same(cwds);
      case 'call':
        return runCall(this, cmd, s.redirs, cwds, depth);
      case 'and': {
        const left = this.stmt(cmd.left, cwds, depth);
        const right = this.stmt(cmd.right, left.ok, depth);
        return { ok: right.ok, fail: union(left.fail, right.fail) };
      }
      case 'or': {
        const left = this.stmt(cmd.left, cwds, depth);
        const right = this.stmt(cmd.right, left.fail, depth);
        return { ok: union(left.ok, right.ok), fail: right.fail };
      }
      case 'pipe': {
        // each side runs in a subshell, unless `shopt -s lastpipe` keeps the last one here
        this.stmt(cmd.left, cwds, depth);
        const right = this.stmt(cmd.right, cwds, depth);
        return same(union(cwds, right.ok, right.fail));
      }
      case 'group': {
        const after = this.script(cmd.body, cwds, depth);
        return same(cmd.subshell ? cwds : after);
      }
      case 'if': {
        const tested = this.script(cmd.cond, cwds, depth);
        return same(
          union(this.script(cmd.thenBranch, tested, depth), this.script(cmd.elseBranch, tested, depth)),
        );
      }
      case 'loop':
        return same(this.loop(cmd.cond, cmd.items, cmd.body, cwds, depth));
      case 'case': {
        this.words([cmd.word], cwds, depth);
        return same(union(cwds, ...cmd.bodies.map((b) => this.script(b, cwds, depth))));
      }
      case 'function':
        this.functions.push({ body: cmd.body, depth });
        return same(cwds);
      case 'expr':
        this.subshells(cmd.nested, cwds, depth);
        return same(cwds);
    }
  }

  /** a loop body runs again from where the last round ended, until no new directory appears */
  private loop(cond: Script, items: Word[], body: Script, cwds: Cwd[], depth: number): Cwd[] {
    this.words(items, cwds, depth);
    let from = cwds;
    for (let round = 0; round < 3; round++) {
      const tested = this.script(cond, from, depth);
      const all = union(from, tested, this.script(body, tested, depth));
      if (all.length === from.length) return all;
      from = all;
    }
    return this.deny(
      'Blocked: a cd inside a loop moves to a new directory on every round, so its paths cannot be known. ' +
        'Use paths relative to the worktree root instead.',
    );
  }

  /** the code nested in words runs first, in subshells */
  words(words: Word[], cwds: Cwd[], depth: number): void {
    for (const w of words) this.subshells(w.nested, cwds, depth);
  }

  private redirect(r: Redirect, cwds: Cwd[], depth: number): void {
    this.words([r.target], cwds, depth);
    if (r.heredoc) this.words([r.heredoc], cwds, depth);
    switch (r.op) {
      case '>':
      case '>>':
      case '>|':
      case '&>':
      case '&>>':
      case '<>':
        this.targets([r.target], cwds);
        return;
      case '>&':
        // `>&2`, `>&-` duplicate a descriptor; `>& file` writes the file, like `&>`
        if (r.target.value === null || !/^(\d+-?|-)$/.test(r.target.value)) this.targets([r.target], cwds);
        return;
      case '<':
        this.parentPaths([r.target], cwds);
        return;
      default:
        return;
    }
  }

  /**
   * Where each word (a file the command writes) lands, from every directory the command may be in:
   * inside the worktree or a scratch directory, or denied.
   */
  targets(words: Word[], cwds: Cwd[]): void {
    for (const w of words) {
      for (const cwd of cwds) {
        const abs = this.resolve(w, cwd, 'writing to');
        if (isDeviceFile(abs)) continue;
        if (isInside(abs, this.c.worktree) || isScratch(abs, this.c)) {
          this.paths.push(abs);
          continue;
        }
        this.deny(
          `Blocked: writing to ${w.text} is outside your worktree${abs === w.text ? '' : ` (it is ${abs})`}. ` +
            'Write only inside the worktree.',
        );
      }
    }
  }

  /** `cd`, `pushd`, `env -C`: where the shell goes from each directory it may be in */
  cdTo(w: Word, cwds: Cwd[], what: string): Cwd[] {
    if (w.value?.startsWith('~')) this.deny(HOME_DENIAL(what));
    return cwds.map((cwd) => {
      const abs = this.resolve(w, cwd, what);
      if ((isScratch(abs, this.c) && !isDeviceFile(abs)) || isInside(abs, this.c.worktree)) {
        this.paths.push(abs);
        return abs;
      }
      return this.deny(
        `Blocked: ${what} ${w.text} leaves your worktree (${this.c.worktree}). ` +
          'Stay in the worktree and use paths relative to its root.',
      );
    });
  }

  /** The absolute path of a word from `cwd`; denies what cannot be known. */
  resolve(w: Word, cwd: Cwd, what: string): string {
    if (w.toplevel) {
      // `$(git rev-parse --show-toplevel)` is the worktree only when run inside it
      if (cwd !== null && isInside(cwd, this.c.worktree)) return posix.join(this.c.worktree, w.value ?? '');
      return this.deny(UNKNOWN_TARGET(`${what} ${w.text}`));
    }
    if (w.value === null) return this.deny(UNKNOWN_TARGET(`${what} ${w.text}`));
    if (w.value.startsWith('~')) return this.deny(HOME_DENIAL(`${what} ${w.text}`));
    const value = w.value.replace(DOT_GLOB_SEGMENT, '$1..');
    if (cwd === null && !value.startsWith('/')) {
      return this.deny(
        `Blocked: ${what} ${w.text} is relative to a directory this command cannot know (after cd - or popd). ` +
          'Use a path relative to the worktree root, without cd -.',
      );
    }
    return posix.resolve(cwd ?? '/', value);
  }

  /**
   * Any argument (or `--opt=`/`VAR=` value) that climbs out of the worktree with `..`: `cp x ../../..`
   * reaches the host repository without ever spelling its path. Reads count too.
   */
  parentPaths(words: Word[], cwds: Cwd[]): void {
    for (const w of words) {
      if (w.value === null) continue;
      const value = /^-{0,2}[A-Za-z0-9_-]+=(.*)$/s.exec(w.value)?.[1] ?? w.value;
      if (!PARENT_SEGMENT.test(value.replace(DOT_GLOB_SEGMENT, '$1..')) || value.startsWith('~')) continue;
      for (const cwd of cwds) {
        const abs = this.resolve({ ...w, value, toplevel: w.toplevel }, cwd, 'the path');
        if (isInside(abs, this.c.worktree) || isScratch(abs, this.c)) continue;
        this.deny(
          `Blocked: ${w.text} leads out of your worktree (${this.c.worktree}). ` +
            'Use paths inside the worktree, relative to its root.',
        );
      }
    }
  }
}

const HOME_DENIAL = (what: string) =>
  `Blocked: ${what} goes to a home directory (~), outside your worktree. ` +
  'Stay inside the worktree and use paths relative to its root.';
