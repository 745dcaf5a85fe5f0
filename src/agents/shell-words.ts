/**
 * A small, forgiving shell tokenizer for the sandbox: splits a command into words and operators so
 * that `cd`, `git -C`, env assignments and redirections can be found. PURE. Not a shell parser:
 * it never fails, and anything it cannot read stays a plain word.
 */

export type ShellToken = { kind: 'word'; text: string } | { kind: 'op'; text: string };

const OPERATOR_CHARS = new Set([';', '&', '|', '(', ')', '<', '>', '\n', '`']);

/**
 * Words have their quotes removed; `$(`, backticks and `(`/`)` become operators, also inside double
 * quotes, so `"$(cd /x && git log)"` yields `cd`, `/x`, `git`, `log` as separate words.
 */
export function shellTokens(command: string): ShellToken[] {
  const out: ShellToken[] = [];
  let word = '';
  let inWord = false;
  /** stack of open contexts: '"' = double quotes, '(' = a $( … ) opened inside double quotes */
  const stack: string[] = [];
  const flush = () => {
    if (inWord) out.push({ kind: 'word', text: word });
    word = '';
    inWord = false;
  };
  const op = (text: string) => {
    flush();
    out.push({ kind: 'op', text });
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    const inDouble = stack[stack.length - 1] === '"';
    if (inDouble) {
      if (c === '"') {
        stack.pop();
      } else if (c === '\\' && i + 1 < command.length) {
        word += command[++i];
      } else if (c === '$' && command[i + 1] === '(') {
        op('$(');
        stack.push('(');
        i++;
      } else if (c === '`') {
        op('`');
      } else {
        word += c;
      }
      inWord = true;
      continue;
    }
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      word += end === -1 ? command.slice(i + 1) : command.slice(i + 1, end);
      inWord = true;
      i = end === -1 ? command.length : end;
    } else if (c === '"') {
      stack.push('"');
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (c === '$' && command[i + 1] === '(') {
      op('$(');
      i++;
    } else if (c === ')' && stack[stack.length - 1] === '(') {
      op(')');
      stack.pop();
      inWord = true; // back inside the double-quoted word
    } else if (c === '>' && command[i + 1] === '>') {
      op('>>');
      i++;
    } else if (OPERATOR_CHARS.has(c)) {
      op(c);
    } else if (c === ' ' || c === '\t' || c === '\r') {
      flush();
    } else {
      word += c;
      inWord = true;
    }
  }
  flush();
  return out;
}
