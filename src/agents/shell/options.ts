/**
 * getopt-style reading of a command's arguments (PURE): which words are options, which option takes
 * the next word as its value, which are operands. Needed to tell `install -m 644 f /opt/x`'s target
 * (`/opt/x`) from its mode, or `cp -t dir a b`'s target (`dir`) from its sources.
 */
import type { Word } from './ast.js';

export interface OptionSpec {
  /** short options that take a value: the rest of the bundle (`-tdir`) or the next word (`-t dir`) */
  short?: string;
  /** short options whose optional value can only be attached (`sed -i.bak`) */
  attached?: string;
  /** long options that take a value, as `--name=v` or `--name v` */
  long?: readonly string[];
  /** a word that looks like an option but is an operand (`chmod -w file`: `-w` is the mode) */
  operandLike?: (text: string) => boolean;
}

export interface ParsedArgs {
  operands: Word[];
  /** option name (a letter, or a long name without dashes) → the values given to it */
  values: Map<string, Word[]>;
  flags: Set<string>;
  /**
   * words known only at run time that may be options, or several words (`$F`; `"$x"` before `--`):
   * `cp "$x" a b` with x='--target-directory=/etc' writes to /etc
   */
  unknown: Word[];
  /** the index in the input of the first operand (wrappers stop there) */
  firstOperand: number;
}

/**
 * Reads `args` (the words after the command name). GNU tools take options after operands too
 * (`cp a b -t dir`); `stopAtOperand` reads the POSIX way, for wrappers like `nice -n 5 cmd -x`. A word
 * whose value is unknown ($VAR) counts as an operand.
 */
export function parseOptions(args: readonly Word[], spec: OptionSpec, stopAtOperand = false): ParsedArgs {
  const out: ParsedArgs = {
    operands: [],
    values: new Map(),
    flags: new Set(),
    unknown: [],
    firstOperand: args.length,
  };
  const setValue = (name: string, w: Word) => out.values.set(name, [...(out.values.get(name) ?? []), w]);
  let optionsEnd = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    const v = w.value;
    if (
      v === null &&
      !w.toplevel &&
      !stopAtOperand &&
      (w.splits || (!optionsEnd && !isOperandPrefix(w.prefix)))
    ) {
      const named = w.splits ? null : /^--([^=]+)=/.exec(w.prefix);
      if (named) setValue(named[1] as string, literalWord(w.text, null));
      else out.unknown.push(w);
      continue;
    }
    const isOption =
      !optionsEnd && v !== null && v.startsWith('-') && v !== '-' && !spec.operandLike?.(v) && !w.toplevel;
    if (!isOption) {
      if (out.operands.length === 0) out.firstOperand = i;
      out.operands.push(w);
      if (stopAtOperand) {
        out.operands.push(...args.slice(i + 1));
        break;
      }
      continue;
    }
    if (v === '--') {
      optionsEnd = true;
      if (stopAtOperand) out.firstOperand = i + 1;
      continue;
    }
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const name = v.slice(2, eq === -1 ? undefined : eq);
      if (eq !== -1) setValue(name, derived(w, v.slice(eq + 1)));
      else if (spec.long?.includes(name) && i + 1 < args.length) setValue(name, args[++i] as Word);
      else out.flags.add(name);
      continue;
    }
    for (let j = 1; j < v.length; j++) {
      const letter = v[j] as string;
      const rest = v.slice(j + 1);
      if (spec.short?.includes(letter)) {
        if (rest !== '') setValue(letter, derived(w, rest));
        else if (i + 1 < args.length) setValue(letter, args[++i] as Word);
        break;
      }
      if (spec.attached?.includes(letter)) {
        if (rest !== '') setValue(letter, derived(w, rest));
        else out.flags.add(letter);
        break;
      }
      out.flags.add(letter);
    }
  }
  if (stopAtOperand && out.operands.length === 0) out.firstOperand = args.length;
  return out;
}

/** a literal start that makes a word an operand, whatever follows: `./$f`, `src/$f` */
export function isOperandPrefix(prefix: string): boolean {
  return prefix !== '' && !prefix.startsWith('-');
}

/** a word standing for part of another one's value (`--target-directory=/x` → `/x`) */
export function derived(w: Word, value: string): Word {
  return { ...literalWord(value), text: w.text };
}

/** a word with this literal value; `value` null: only known at run time, one word */
export function literalWord(text: string, value: string | null = text): Word {
  return { text, value, prefix: value ?? '', splits: false, toplevel: false, nested: [] };
}

/** the values of any of these options */
export function optionValues(p: ParsedArgs, names: readonly string[]): Word[] {
  return names.flatMap((n) => p.values.get(n) ?? []);
}

export function hasOption(p: ParsedArgs, names: readonly string[]): boolean {
  return names.some((n) => p.flags.has(n) || p.values.has(n));
}
