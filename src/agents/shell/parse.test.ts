/** The parser adapter: bash text → the policy's syntax tree, checked on the forms that decide writes. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Command, Script, Stmt, Word } from './ast.js';
import { parseShell, ShellSyntaxError } from './parse.js';

const only = (script: Script): Stmt => {
  assert.equal(script.length, 1);
  return script[0] as Stmt;
};
const call = (s: Stmt): Extract<Command, { kind: 'call' }> => {
  assert.equal(s.cmd.kind, 'call');
  return s.cmd as Extract<Command, { kind: 'call' }>;
};
const values = (words: Word[]) => words.map((w) => w.value);

describe('parseShell', () => {
  it('reads every redirection operator with its descriptor and target', () => {
    const s = only(parseShell('cmd 2>/dev/null >|a 1>>b &>c &>>d <>e 3<&0 >&2 {fd}>f <g <<<h'));
    assert.deepEqual(values(call(s).args), ['cmd']);
    assert.deepEqual(
      s.redirs.map((r) => [r.fd, r.op, r.target.value]),
      [
        ['2', '>', '/dev/null'],
        [null, '>|', 'a'],
        ['1', '>>', 'b'],
        [null, '&>', 'c'],
        [null, '&>>', 'd'],
        [null, '<>', 'e'],
        ['3', '<&', '0'],
        [null, '>&', '2'],
        ['{fd}', '>', 'f'],
        [null, '<', 'g'],
        [null, '<<<', 'h'],
      ],
    );
  });

  it('keeps the `2` of `2>&1` out of the arguments (issue 12)', () => {
    assert.deepEqual(values(call(only(parseShell('mv x /home/u/y 2>&1'))).args), ['mv', 'x', '/home/u/y']);
  });

  it('removes quotes and escapes the way bash does', () => {
    const args = call(only(parseShell(`cp \\/etc\\/x "a b" 'c d' "e\\$f" $'plain' a\\\nb`))).args;
    assert.deepEqual(values(args), ['cp', '/etc/x', 'a b', 'c d', 'e$f', 'plain', 'ab']);
  });

  it("leaves values it cannot know as null: $VAR, $(…), $((…)), $'\\x2f', extglobs", () => {
    const args = call(only(parseShell(`echo $HOME/x "$(pwd)" $((1+2)) $'\\x2fetc' @(a|b) a\${b}c`))).args;
    assert.deepEqual(values(args.slice(1)), [null, null, null, null, null, null]);
  });

  it('knows `$(git rev-parse --show-toplevel)` at the start of a word, and nothing like it', () => {
    const args = call(
      only(
        parseShell(
          'echo "$(git rev-parse --show-toplevel)/out" $(git rev-parse --show-toplevel) x$(git rev-parse --show-toplevel) "$(git rev-parse --show-toplevel > f)"',
        ),
      ),
    ).args;
    assert.deepEqual(
      args.slice(1).map((w) => [w.toplevel, w.value]),
      [
        [true, '/out'],
        [true, ''],
        [false, null],
        [false, null],
      ],
    );
  });

  it('expands braces into separate words, and gives up on huge expansions', () => {
    assert.deepEqual(values(call(only(parseShell('touch {a,/etc/x}/f'))).args), ['touch', 'a/f', '/etc/x/f']);
    assert.deepEqual(values(call(only(parseShell('echo x{1..3}'))).args), ['echo', 'x1']);
    const many = call(only(parseShell('touch {a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}'))).args;
    assert.deepEqual(values(many), ['touch', null]);
    assert.deepEqual(values(call(only(parseShell("echo '{a,b}'"))).args), ['echo', '{a,b}']);
  });

  it('finds the code nested in words: $(…), backticks, parameter defaults, arithmetic, <(…), here-documents', () => {
    const nestedIn = (src: string) => {
      const s = only(parseShell(src));
      return [
        ...call(s).args,
        ...s.redirs.flatMap((r) => [r.target, ...(r.heredoc ? [r.heredoc] : [])]),
      ].flatMap((w) => w.nested.map((n) => values(call(only(n)).args).join(' ')));
    };
    assert.deepEqual(nestedIn('echo $(a 1) `b 2` $' + '{x:-$(c 3)} $(( $(d 4) )) <(e 5) >(f 6)'), [
      'a 1',
      'b 2',
      'c 3',
      'd 4',
      'e 5',
      'f 6',
    ]);
    assert.deepEqual(nestedIn('cat <<EOF\nx $(g 7)\nEOF'), ['g 7']);
    assert.deepEqual(nestedIn("cat <<'EOF'\nx $(g 7)\nEOF"), []);
  });

  it('keeps a quoted here-document as written, and unescapes only $ ` \\ in an unquoted one', () => {
    const body = (src: string) => only(parseShell(src)).redirs[0]?.heredoc?.value;
    assert.equal(body("bash <<'EOF'\necho '\\'' \\$x\nEOF"), "echo '\\'' \\$x\n");
    assert.equal(body('bash <<EOF\necho \\$x \\a\nEOF'), 'echo $x \\a\n');
    assert.equal(body('bash <<EOF\necho $x\nEOF'), null);
  });

  it('reads control flow: && || | ; subshells, blocks, if, loops, case, functions', () => {
    const kinds = (src: string) => parseShell(src).map((s) => s.cmd.kind);
    assert.deepEqual(kinds('a && b; a || b; a | b; (a); { a; }; ! a; a &'), [
      'and',
      'or',
      'pipe',
      'group',
      'group',
      'call',
      'call',
    ]);
    assert.deepEqual(
      kinds('if a; then b; elif c; then d; else e; fi; for x in y; do z; done; while a; do b; done'),
      ['if', 'loop', 'loop'],
    );
    assert.deepEqual(kinds('case $x in a) b;; esac; f() { g; }; (( i++ )); [[ -f x ]]; time a'), [
      'case',
      'function',
      'expr',
      'expr',
      'group',
    ]);
    const [negated, background] = parseShell('! a; a &');
    assert.deepEqual([negated?.negated, background?.background], [true, true]);
  });

  it('gives export/declare/local their assignments and flags', () => {
    const c = call(only(parseShell('export -n GIT_DIR=/x B=$(y)')));
    assert.deepEqual(values(c.args), ['export', '-n']);
    assert.deepEqual(
      c.assigns.map((a) => [a.name, a.value?.value]),
      [
        ['GIT_DIR', '/x'],
        ['B', null],
      ],
    );
    assert.equal(c.assigns[1]?.nested.length, 1);
  });

  it('reads literal words exactly as bash does (checked against bash itself)', () => {
    const words = [
      String.raw`\/etc\/x`,
      String.raw`"a\$b\"c\d"`,
      String.raw`'a\b'"c"d`,
      String.raw`a\ b`,
      `"x"'y'z`,
      "$'plain'",
      '{a,b}/c',
      'x{1..3}y',
      'pre{a,b{c,d}}post',
      "'{a,b}'",
      String.raw`a\{b,c}`,
      '"$(git rev-parse --show-toplevel)"',
      '--target-directory=/etc',
      `"a b"'c d'`,
      String.raw`{a\,b,c}`,
    ];
    for (const w of words) {
      const args = call(only(parseShell(`printf '%s\\0' ${w}`))).args.slice(2);
      // run-time values, and braces mixed with escapes (read as unknown), are not compared
      if (args.some((a) => a.value === null)) continue;
      const bash = execFileSync('bash', ['-c', `printf '%s\\0' ${w}`], { encoding: 'utf8', cwd: '/' })
        .split('\0')
        .slice(0, -1);
      // brace sequences are kept as one placeholder word: their letters and digits cannot leave
      const ours = values(args);
      if (w.includes('..')) assert.ok(bash.length > ours.length, w);
      else assert.deepEqual(ours, bash, w);
    }
  });

  it('rejects what bash would reject, with the parser’s message', () => {
    for (const bad of ['echo "unterminated', 'if then', 'echo $(', 'a &&', 'cat <<EOF']) {
      assert.throws(() => parseShell(bad), ShellSyntaxError, bad);
    }
  });
});
