/**
 * The shell syntax the sandbox policy reads: a small tree of plain values, made from mvdan/sh's
 * syntax tree by `parse.ts`. It keeps what decides where a command writes or which directory it runs
 * in (commands, their words, redirections, control flow, nested code) and drops the rest (positions,
 * comments, arithmetic). PURE types.
 */

export type Script = Stmt[];

export interface Stmt {
  cmd: Command;
  redirs: Redirect[];
  negated: boolean;
  /** `cmd &`: runs in a subshell, so a `cd` inside it does not move the next command */
  background: boolean;
}

export type Command =
  /** a simple command; `declare`/`export`/`local`/… come as a call whose first argument names them */
  | { kind: 'call'; assigns: Assign[]; args: Word[] }
  | { kind: 'and' | 'or' | 'pipe'; left: Stmt; right: Stmt }
  /** `( … )` (subshell: its `cd` stays inside), `{ …; }`, `time …` */
  | { kind: 'group'; subshell: boolean; body: Script }
  | { kind: 'if'; cond: Script; thenBranch: Script; elseBranch: Script }
  /** for/select/while/until: the body may run any number of times */
  | { kind: 'loop'; cond: Script; items: Word[]; body: Script }
  | { kind: 'case'; word: Word; bodies: Script[] }
  | { kind: 'function'; name: string; body: Stmt }
  /** `(( ))`, `[[ ]]`, `let`, C-style loop headers: only the code nested in them runs */
  | { kind: 'expr'; nested: Script[] }
  /** a statement of redirections only (`> file`) */
  | { kind: 'empty' };

export interface Assign {
  name: string;
  /** null for `declare -a x` or an array assignment */
  value: Word | null;
  /** the elements of `x=(a b c)` */
  array: Word[];
  /** the code nested anywhere in it (`a[$(x)]=$(y)`); its words' own `nested` are empty */
  nested: Script[];
}

export type RedirOp = '>' | '>>' | '>|' | '<' | '<>' | '<&' | '>&' | '&>' | '&>>' | '<<' | '<<-' | '<<<';

export interface Redirect {
  op: RedirOp;
  /** the file descriptor written before the operator (`2>`, `{fd}>`), or null */
  fd: string | null;
  /** the file (or descriptor, for `>&`/`<&`; or here-doc delimiter) */
  target: Word;
  /** a here-document's body */
  heredoc: Word | null;
}

export interface Word {
  /** as written, for messages */
  text: string;
  /** after quote removal; null when part of it is only known at run time ($VAR, $(…), …) */
  value: string | null;
  /** the literal start of the value, up to the first part known only at run time (all of it if none) */
  prefix: string;
  /**
   * an unquoted expansion ($VAR, $(…)) in it: at run time it may become several words, or none,
   * any of them an option (`cp $F a b` with F='-t /etc')
   */
  splits: boolean;
  /**
   * the word starts with `$(git rev-parse --show-toplevel)`, the worktree's own root, and `value`
   * holds the rest: the one command substitution whose result the policy can know
   */
  toplevel: boolean;
  /** the `$(…)`, backticks, `<(…)`, `>(…)` inside it, wherever they sit: they run too */
  nested: Script[];
}
