/**
 * Bash text → the policy's syntax tree (`ast.ts`), through mvdan/sh's parser (the `mvdan-sh` build:
 * synchronous, no dependencies). The parser is strict: what bash would refuse to run, it refuses too,
 * and the policy then denies. Anything this file does not know how to read is an error, never skipped.
 */
import { createRequire } from 'node:module';
import type { GoNode, Parser, Syntax } from 'mvdan-sh';
import type { Assign, Command, Redirect, RedirOp, Script, Stmt, Word } from './ast.js';

/** a `{` that is not escaped (preceded by an even number of backslashes) */
const UNESCAPED_BRACE = /(?:^|[^\\])(?:\\\\)*\{/;
/** a brace expansion that would make more words than this is treated as unknown */
const MAX_BRACE_WORDS = 64;

/**
 * What one decision may read, over the command and every command string nested in it (`eval`,
 * `bash -c`, read again each time the walk passes them): the parser runs in the daemon's process,
 * and reading its tree from JavaScript costs about 1 ms a statement (measured), so a command built
 * to be huge is refused instead.
 */
export interface ParseBudget {
  chars: number;
  statements: number;
}
export const parseBudget = (): ParseBudget => ({ chars: 50_000, statements: 500 });

export class ShellSyntaxError extends Error {}
/** the command is too large to check; not a statement about its syntax */
export class ShellTooLargeError extends Error {}

export function parseShell(src: string, budget: ParseBudget = parseBudget()): Script {
  budget.chars -= src.length;
  if (budget.chars < 0)
    throw new ShellTooLargeError('it, with the command strings in it, is over 50,000 characters');
  const sh = loadParser();
  let file: GoNode;
  try {
    file = sh.parser.Parse(src, '');
  } catch (err) {
    if (isGoError(err)) throw new ShellSyntaxError(err.Error());
    throw err;
  }
  return new Reader(src, sh, budget).script(nodes(file, 'Stmts'));
}

function isGoError(err: unknown): err is { Error(): string } {
  return typeof (err as { Error?: unknown } | null)?.Error === 'function';
}

interface LoadedParser {
  syntax: Syntax;
  parser: Parser;
  /** the parser's operator numbers, read off samples rather than copied from its Go source */
  redirOps: Map<number, RedirOp>;
  binaryOps: Map<number, 'and' | 'or' | 'pipe'>;
}
let loaded: LoadedParser | null = null;

/** The parser is 1.5 MB of JavaScript (~0.2 s to load): read on the first command, off the daemon's start. */
function loadParser(): LoadedParser {
  if (loaded) return loaded;
  const { syntax } = createRequire(import.meta.url)('mvdan-sh') as { syntax: Syntax };
  const parser = syntax.NewParser(syntax.Variant(syntax.LangBash));
  const first = (src: string) => nodes(parser.Parse(src, ''), 'Stmts')[0] as GoNode;
  const redirOps = new Map<number, RedirOp>(
    (['>', '>>', '>|', '<', '<>', '<&', '>&', '&>', '&>>', '<<<', '<<', '<<-'] as const).map((op) => {
      const src = op.startsWith('<<') && op !== '<<<' ? `a ${op}x\nx\n` : `a ${op}x`;
      return [nodes(first(src), 'Redirs')[0]?.Op as number, op];
    }),
  );
  const binaryOps = new Map<number, 'and' | 'or' | 'pipe'>(
    (
      [
        ['&&', 'and'],
        ['||', 'or'],
        ['|', 'pipe'],
        ['|&', 'pipe'],
      ] as const
    ).map(([op, kind]) => [node(first(`a ${op} b`), 'Cmd')?.Op as number, kind]),
  );
  loaded = { syntax, parser, redirOps, binaryOps };
  return loaded;
}

function nodes(n: GoNode, field: string): GoNode[] {
  return (n[field] as GoNode[] | null) ?? [];
}
function node(n: GoNode, field: string): GoNode | null {
  return (n[field] as GoNode | null) ?? null;
}
function lit(n: GoNode | null): string {
  return n ? String(n.Value) : '';
}

/**
 * A piece of a word's value: literal text, the worktree root, or something only known at run time:
 * quoted (`"$x"`: one word) or not (`$x`: split into any number of words).
 */
type Piece = { lit: string } | 'dynamic' | 'split' | 'toplevel';

class Reader {
  private readonly mayNest: boolean;
  private readonly syntax: Syntax;
  constructor(
    private readonly src: string,
    private readonly sh: LoadedParser,
    private readonly budget: ParseBudget,
  ) {
    this.mayNest = /[$<>]\(|`/.test(src);
    this.syntax = sh.syntax;
  }

  script(stmts: GoNode[]): Script {
    return stmts.map((s) => this.stmt(s));
  }

  private stmt(n: GoNode): Stmt {
    if (--this.budget.statements < 0) {
      throw new ShellTooLargeError('it, with the command strings in it, has over 500 statements');
    }
    return {
      cmd: this.command(node(n, 'Cmd')),
      redirs: nodes(n, 'Redirs').map((r) => this.redirect(r)),
      negated: n.Negated === true,
      background: n.Background === true || n.Coprocess === true,
    };
  }

  private command(n: GoNode | null): Command {
    if (n === null) return { kind: 'empty' };
    const type = this.syntax.NodeType(n);
    switch (type) {
      case 'CallExpr':
        return {
          kind: 'call',
          assigns: nodes(n, 'Assigns').map((a) => this.assign(a)),
          args: nodes(n, 'Args').flatMap((w) => this.words(w)),
        };
      case 'DeclClause': {
        // `export A=1 -n B`: the flags are "naked" assignments without a name
        const args = nodes(n, 'Args');
        const flags = args.filter((a) => node(a, 'Name') === null && node(a, 'Value') !== null);
        return {
          kind: 'call',
          assigns: args.filter((a) => node(a, 'Name') !== null).map((a) => this.assign(a)),
          args: [this.plainWord(lit(node(n, 'Variant'))), ...flags.map((a) => this.word(node(a, 'Value')!))],
        };
      }
      case 'BinaryCmd': {
        const kind = this.sh.binaryOps.get(n.Op as number);
        if (!kind) throw new ShellSyntaxError(`unknown operator ${String(n.Op)}`);
        return { kind, left: this.stmt(node(n, 'X')!), right: this.stmt(node(n, 'Y')!) };
      }
      case 'Subshell':
      case 'Block':
        return { kind: 'group', subshell: type === 'Subshell', body: this.script(nodes(n, 'Stmts')) };
      case 'TimeClause':
      case 'CoprocClause': {
        const inner = node(n, 'Stmt');
        return { kind: 'group', subshell: type === 'CoprocClause', body: inner ? [this.stmt(inner)] : [] };
      }
      case 'IfClause':
        return this.ifClause(n);
      case 'WhileClause':
        return {
          kind: 'loop',
          cond: this.script(nodes(n, 'Cond')),
          items: [],
          body: this.script(nodes(n, 'Do')),
        };
      case 'ForClause': {
        const loop = node(n, 'Loop')!;
        const wordIter = this.syntax.NodeType(loop) === 'WordIter';
        return {
          kind: 'loop',
          cond: wordIter ? [] : [this.exprStmt(loop)],
          items: wordIter ? nodes(loop, 'Items').flatMap((w) => this.words(w)) : [],
          body: this.script(nodes(n, 'Do')),
        };
      }
      case 'CaseClause':
        return {
          kind: 'case',
          word: this.word(node(n, 'Word')!),
          bodies: nodes(n, 'Items').map((item) => [
            ...nodes(item, 'Patterns').map((p) => this.exprStmt(p)),
            ...this.script(nodes(item, 'Stmts')),
          ]),
        };
      case 'FuncDecl':
        return { kind: 'function', name: lit(node(n, 'Name')), body: this.stmt(node(n, 'Body')!) };
      case 'ArithmCmd':
      case 'TestClause':
      case 'LetClause':
      case 'TestDecl':
        return { kind: 'expr', nested: this.nested(n) };
      default:
        throw new ShellSyntaxError(`unsupported shell construct ${type}`);
    }
  }

  private ifClause(n: GoNode): Command {
    const other = node(n, 'Else');
    let otherwise: Script = [];
    if (other && nodes(other, 'Cond').length === 0) otherwise = this.script(nodes(other, 'Then'));
    else if (other)
      otherwise = [{ cmd: this.ifClause(other), redirs: [], negated: false, background: false }];
    return {
      kind: 'if',
      cond: this.script(nodes(n, 'Cond')),
      thenBranch: this.script(nodes(n, 'Then')),
      elseBranch: otherwise,
    };
  }

  /** the code nested in something that is not a command (a pattern, an arithmetic loop header) */
  private exprStmt(n: GoNode): Stmt {
    return { cmd: { kind: 'expr', nested: this.nested(n) }, redirs: [], negated: false, background: false };
  }

  private assign(n: GoNode): Assign {
    const value = node(n, 'Value');
    const array = node(n, 'Array');
    const elems = array ? nodes(array, 'Elems').flatMap((e) => node(e, 'Value') ?? []) : [];
    return {
      name: lit(node(n, 'Name')),
      value: value ? { ...this.word(value), nested: [] } : null,
      array: elems.map((e) => ({ ...this.word(e), nested: [] })),
      nested: this.nested(n),
    };
  }

  private redirect(n: GoNode): Redirect {
    const op = this.sh.redirOps.get(n.Op as number);
    if (!op) throw new ShellSyntaxError(`unknown redirection ${String(n.Op)}`);
    const targets = this.words(node(n, 'Word')!);
    const hdoc = node(n, 'Hdoc');
    return {
      op,
      fd: node(n, 'N') ? lit(node(n, 'N')) : null,
      // bash refuses a redirection whose word expands to several ("ambiguous redirect")
      target: targets.length === 1 ? (targets[0] as Word) : this.dynamicWord(node(n, 'Word')!),
      heredoc: hdoc ? this.heredoc(hdoc, node(n, 'Word')!) : null,
    };
  }

  /** A word after brace expansion: `a{b,c}` is two words. */
  private words(n: GoNode): Word[] {
    const text = this.text(n);
    const nested = this.nested(n);
    // the parser's brace splitter ignores backslashes: `a\{b,c}` is one word to bash, two to it
    const literals = nodes(n, 'Parts').flatMap((p) =>
      this.syntax.NodeType(p) === 'Lit' ? [String(p.Value)] : [],
    );
    const opens = literals.some((l) => UNESCAPED_BRACE.test(l));
    const escaped = literals.some((l) => /\\[{},]/.test(l));
    const braced = opens && !escaped ? this.syntax.SplitBraces(n) : n;
    const alternatives = opens && escaped ? null : this.pieces(nodes(braced, 'Parts'));
    if (alternatives === null)
      return [{ text, value: null, prefix: '', splits: true, toplevel: false, nested }];
    return alternatives.map((pieces, i) => ({ ...wordValue(pieces), text, nested: i === 0 ? nested : [] }));
  }

  private word(n: GoNode): Word {
    const pieces = this.pieces(nodes(n, 'Parts'), false)?.[0] ?? ['split' as const];
    return { ...wordValue(pieces), text: this.text(n), nested: this.nested(n) };
  }

  /**
   * A here-document's body: literal when its delimiter is quoted (`<<'EOF'`), else expanded like a
   * double-quoted string where a backslash escapes only `$`, `` ` `` and `\`.
   */
  private heredoc(body: GoNode, delimiter: GoNode): Word {
    const delimiterParts = nodes(delimiter, 'Parts');
    const quoted = delimiterParts.some(
      (p) => this.syntax.NodeType(p) !== 'Lit' || String(p.Value).includes('\\'),
    );
    const pieces = nodes(body, 'Parts').flatMap((p): Piece[] => {
      const type = this.syntax.NodeType(p);
      if (type !== 'Lit') return this.piecesOf(p, type, false, true);
      const text = String(p.Value);
      return [{ lit: quoted ? text : text.replace(/\\([$`\\])/g, '$1') }];
    });
    return { ...wordValue(pieces), text: this.text(body), nested: this.nested(body) };
  }

  private plainWord(text: string): Word {
    return { text, value: text, prefix: text, splits: false, toplevel: false, nested: [] };
  }

  private dynamicWord(n: GoNode): Word {
    return {
      text: this.text(n),
      value: null,
      prefix: '',
      splits: true,
      toplevel: false,
      nested: this.nested(n),
    };
  }

  /** The alternatives a list of word parts expands to (one unless braces), or null when too many. */
  private pieces(parts: GoNode[], braces = true): Piece[][] | null {
    let out: Piece[][] = [[]];
    for (const [i, part] of parts.entries()) {
      const type = this.syntax.NodeType(part);
      let alternatives: Piece[][];
      if (type === 'BraceExp' && braces) {
        const elems = nodes(part, 'Elems');
        if (part.Sequence === true) {
          // {1..9}, {a..z}: letters or digits only, never a path separator or `..`
          alternatives = [
            [{ lit: lit(nodes(elems[0]!, 'Parts')[0] ?? null).replace(/[^A-Za-z0-9]/g, '') || 'x' }],
          ];
        } else {
          const expanded = elems.map((e) => this.pieces(nodes(e, 'Parts')));
          if (expanded.some((e) => e === null)) return null;
          alternatives = expanded.flatMap((e) => e as Piece[][]);
        }
      } else {
        alternatives = [this.piecesOf(part, type, i === 0, false)];
      }
      out = out.flatMap((prefix) => alternatives.map((alt) => [...prefix, ...alt]));
      if (out.length > MAX_BRACE_WORDS) return null;
    }
    return out;
  }

  private piecesOf(part: GoNode, type: string, first: boolean, quoted: boolean): Piece[] {
    const unknown = quoted ? 'dynamic' : 'split';
    switch (type) {
      case 'Lit':
        return [{ lit: removeQuoting(String(part.Value), null) }];
      case 'SglQuoted':
        // $'…' decodes escapes such as \x2f ("/"): unknown unless there are none
        return part.Dollar === true && String(part.Value).includes('\\')
          ? ['dynamic']
          : [{ lit: String(part.Value) }];
      case 'DblQuoted': {
        if (part.Dollar === true) return ['dynamic']; // $"…": translated at run time
        const inner = nodes(part, 'Parts');
        return inner.flatMap((p, i) => {
          const t = this.syntax.NodeType(p);
          return t === 'Lit'
            ? [{ lit: removeQuoting(String(p.Value), '"') }]
            : this.piecesOf(p, t, first && i === 0, true);
        });
      }
      case 'CmdSubst':
        return first && isToplevelIdiom(part, this.syntax) ? ['toplevel'] : [unknown];
      case 'ProcSubst':
        return [{ lit: '/dev/fd/63' }]; // the word is a pipe's path; the code inside is in `nested`
      case 'ParamExp':
      case 'ArithmExp':
      case 'ExtGlob':
        return [unknown];
      default:
        throw new ShellSyntaxError(`unsupported word part ${type}`);
    }
  }

  /** every `$(…)`, backtick and process substitution below `n`, outermost only */
  private nested(n: GoNode): Script[] {
    const out: Script[] = [];
    // walking the Go tree is slow from JavaScript: skip it for a command without $(…), `…`, <(…), >(…)
    if (!this.mayNest) return out;
    this.syntax.Walk(n, (child) => {
      if (child === null) return true;
      const type = this.syntax.NodeType(child);
      if (type !== 'CmdSubst' && type !== 'ProcSubst') return true;
      out.push(this.script(nodes(child, 'Stmts')));
      return false;
    });
    return out;
  }

  private text(n: GoNode): string {
    return this.src.slice(n.Pos().Offset(), n.End().Offset());
  }
}

function wordValue(pieces: Piece[]): Pick<Word, 'value' | 'prefix' | 'splits' | 'toplevel'> {
  const toplevel = pieces[0] === 'toplevel';
  const rest = toplevel ? pieces.slice(1) : pieces;
  const known = rest.findIndex((p) => typeof p === 'string');
  const literal = (ps: Piece[]) => ps.map((p) => (p as { lit: string }).lit).join('');
  if (known === -1) return { value: literal(rest), prefix: literal(rest), splits: false, toplevel };
  return {
    value: null,
    prefix: toplevel ? '' : literal(rest.slice(0, known)),
    splits: rest.includes('split'),
    toplevel: false,
  };
}

/**
 * Quote removal for a literal: unquoted, a backslash keeps the next character; inside double quotes
 * only before `$`, `` ` ``, `"`, `\` (the parser already dropped escaped newlines).
 */
function removeQuoting(text: string, quote: '"' | null): string {
  if (!text.includes('\\')) return text;
  return quote === null ? text.replace(/\\(.)/gs, '$1') : text.replace(/\\([$`"\\])/g, '$1');
}

/** `$(git rev-parse --show-toplevel)`, exactly */
function isToplevelIdiom(subst: GoNode, syntax: Syntax): boolean {
  const stmts = nodes(subst, 'Stmts');
  const only = stmts[0];
  if (stmts.length !== 1 || !only || nodes(only, 'Redirs').length > 0 || only.Background === true)
    return false;
  const call = node(only, 'Cmd');
  if (!call || syntax.NodeType(call) !== 'CallExpr' || nodes(call, 'Assigns').length > 0) return false;
  const args = nodes(call, 'Args').map((w) => {
    const parts = nodes(w, 'Parts');
    return parts.length === 1 && syntax.NodeType(parts[0]!) === 'Lit' ? String(parts[0]!.Value) : null;
  });
  return args.join(' ') === 'git rev-parse --show-toplevel' && args.length === 3;
}
