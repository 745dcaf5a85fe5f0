/**
 * The shell policy construct by construct: each shell form that can carry a write, a `cd` or a git
 * location, allowed where it stays in the worktree and denied where it leaves or cannot be known.
 * `src/agents/sandbox.test.ts` holds the vectors of issues 7 and 12; `corpus.test.ts` the generated ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideShell } from './policy.js';

const H = '/home/op/proj';
const W = `${H}/.ve/chunks/feat/worktree`;
const ctx = { worktree: W, hostRoot: H };

/** [command, allowed] per construct */
const FAMILIES: Record<string, [string, boolean][]> = {
  subshells: [
    ['(cp x /etc/y)', false],
    ['(cd src && cp x y)', true],
    ['(cd ..); touch x', false],
    ['(cd src); cp x ../y', false], // the subshell's cd does not move the next command
    ['cd src && (cp x ../y)', true],
  ],
  'command substitution': [
    ['echo "$(cp x /etc/y)"', false],
    ['echo `cp x /etc/y`', false],
    ['a=$(cd /etc; touch x)', false],
    ['echo $' + '{x:-$(cp a /etc/y)}', false],
    ['echo $(( $(cp a /etc/y) ))', false],
    ['[[ -n $(cp a /etc/y) ]]', false],
    ['case x in $(cp a /etc/y)) ;; esac', false],
    ['echo "built $(date)" > build.txt', true],
    ['x=$(git rev-parse HEAD) && echo "$x" > rev.txt', true],
  ],
  'process substitution': [
    ['diff <(sort a) <(sort b)', true],
    ['echo x | tee >(cat > /etc/y)', false],
    ['cp x >(cat)', true],
  ],
  'pipelines and lists': [
    ['true | cp x /etc/y', false],
    ['true && cp x /etc/y', false],
    ['false || cp x /etc/y', false],
    ['true; cp x /etc/y', false],
    ['cp x /etc/y &', false],
    ['! cp x /etc/y', false],
    ['cd src || touch ../x', false], // runs only where cd failed: still in the worktree root
    ['cd src && touch ../x', true],
    ['cd src; touch ../x', false], // cd may have failed
  ],
  'here-documents and here-strings': [
    ['cat > /etc/y <<EOF\nx\nEOF', false],
    ['cat <<EOF > notes.md\nx\nEOF', true],
    ['cat <<EOF\n$(cp x /etc/y)\nEOF', false],
    ["cat <<'EOF' > notes.md\n$(not run)\nEOF", true],
    ['bash <<EOF\ncp x /etc/y\nEOF', false],
    ["bash <<'EOF'\ncp x out.txt\nEOF", true],
    ['bash <<< "cp x /etc/y"', false],
  ],
  'control flow': [
    ['if true; then cp x /etc/y; fi', false],
    ['if true; then :; else cp x /etc/y; fi', false],
    ['for f in a b; do cp $f /etc/; done', false],
    ['for f in *.ts; do cp -- "$f" dist/; done', true],
    ['for f in *.ts; do cp "./$f" dist/; done', true],
    ['for f in *.ts; do cp "$f" dist/; done', false], // "$f" could be --target-directory=/etc
    ['for f in *.ts; do cp $f dist/; done', false], // $f could be several words
    ['while false; do cp x /etc/y; done', false],
    ['while true; do cd sub; done', false],
    ['for d in a b; do cd $d; done', false],
    ['select x in a; do rm /etc/y; done', false],
    ['case $1 in a) rm /etc/y;; esac', false],
    ['for ((i=0; i<3; i++)); do touch out.txt; done', true],
    ['for ((i=0; i<3; i++)); do touch "f$i"; done', false], // `$i` could hold `/../../..`
  ],
  'function bodies': [
    ['f() { cp x /etc/y; }', false],
    ['f() { cp x out; }; f', true],
    ['f() { cd ..; }; f', false],
    ['f() { cp x ../y; }; cd src; f', false], // the body is read from every directory the command visits
    ['function g { rm -rf /etc/y; }', false],
  ],
  redirections: [
    ['echo hi >| /etc/x', false],
    ['echo hi 2> /etc/x', false],
    ['echo hi &>> /etc/x', false],
    ['echo hi >& /etc/x', false],
    ['exec 3<> /etc/x', false],
    ['echo hi {fd}> /etc/x', false],
    ['echo hi > /dev/fd/3/passwd', false],
    ['echo hi >&2', true],
    ['echo hi 2>&1 >&- 3>&2-', true],
    ['echo hi > /dev/null 2> /dev/stderr', true],
    ['cat < ../../../../x', false],
    ['echo hi > {a,b}', false], // bash: ambiguous redirect; the policy cannot pick one
  ],
  'cd and directories': [
    ['cd src && cp x y', true],
    ['cd /tmp && cp x y', true],
    ['cd /etc && cp x y', false],
    ['cd ~ && ls', false],
    ['cd $HOME', false],
    ['cd - && ls', true],
    ['cd src; cd -; cp a ../b', false],
    ['pushd src && make && popd', true],
    ['popd; touch ../x', false],
    ['env -C /etc touch x', false],
    ['env -C src touch x', true],
    ['CDPATH=/ cd etc', false],
    ['OLDPWD=/etc cd -', false],
  ],
  'git locations': [
    [`git -C ${H} status`, false],
    ['git -C src status', true],
    ['cd src && git -C .. status', true],
    ['git --work-tree=/tmp/x status', false],
    ['git --git-dir=.git log', false],
    ['GIT_DIR=/tmp/g git status', false],
    [`env GIT_WORK_TREE=${H} git add -A`, false],
    ['export GIT_DIR=~/.git', false],
    ['GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager git log', false],
    ['export "GIT_DIR=$(pwd)/../../../../.git"', false],
    ['export "FOO=$(date)"', true],
    ['declare -n r=GIT_DIR; r=/tmp/g', false],
    ['declare -n r=OTHER', true],
    ['read -r GIT_DIR < f', false],
    ['printf -v GIT_WORK_TREE %s "$X"', false],
    ['read -r line < f && echo "$line" > out.txt', true],
    ['git $SUB . HEAD:main', false],
    ['git -c alias.x="!touch /etc/y" x', false],
    ['git -c alias.p="push . HEAD:main" p', false],
    ['git -c core.pager="tee /etc/y" log', false],
    ['git -c core.pager=less log', true],
    ['GIT_PAGER="tee /etc/y" git log', false],
    ['git init /etc/repo', false],
    ['git clone ../../../../ copy', false],
    ['git clone https://example.com/r.git vendor/r', true],
    ['git archive -o /etc/a.tar HEAD', false],
    ['git format-patch -o patches HEAD~2', true],
  ],
  'command strings': [
    ['eval "cp x /etc/y"', false],
    ['eval cp x out', true],
    ['eval "$CMD"', false],
    ["bash -c 'cp x /etc/y'", false],
    ["bash -lc 'cp x /etc/y'", false],
    ["sh -c 'cd src && make > log'", true],
    ['bash -c "$S"', false],
    ['echo "cp x /etc/y" | bash', false],
    ['bash ./build.sh', true], // a file: beyond the text (residue; the OS sandbox confines it)
    ['source ./env.sh', true],
    ["source /dev/stdin <<< 'cp x /etc/y'", false],
    ['. <(echo cp x /etc/y)', false],
    ['bash <(curl -s http://localhost/x.sh)', false],
    ["bash - <<'EOF'\ncp x out\nEOF", true],

    ["trap 'rm -rf /etc/y' EXIT", false],
    ['alias c="cp x /etc/y"', false],
    [`bash -c "eval 'bash -c \\"eval \\\\\\"cp x y\\\\\\"\\"'"`, true],
    [`bash -c "eval 'bash -c \\"eval \\\\\\"bash -c x\\\\\\"\\"'"`, false], // nested five deep
    // a function body counts as deep as it was defined (it once started again at 0: seed 918674122)
    [`bash -c "eval 'bash -c \\"eval \\\\\\"f() { bash -c x; }; f\\\\\\"\\"'"`, false],
    [`bash -c "eval 'f() { bash -c \\"eval x\\"; }; f'"`, true],
  ],
  'xargs and find': [
    ['ls | xargs rm', false],
    ['ls | xargs grep foo', true],
    ['ls | xargs -I{} cp {} dest/', false], // a line of input could be --target-directory=/etc
    ['ls | xargs -I{} cp ./{} dest/', true],
    ['ls | xargs -I{} cp {} /etc/', false],
    ['ls | xargs sh -c \'cp "$@" /etc/\' _', false],
    ['find . -name "*.o" -delete', true],
    ['find / -name x -delete', false],
    ['find ../../.. -delete', false],
    ['find . -exec cp {} /etc \\;', false],
    ['find . -type f -exec chmod 644 {} +', true],
    ['find src -execdir touch ../x \\;', false],
    ['find . -exec sh -c \'cp "$1" /etc/\' _ {} \\;', false],
    ['find -L . -delete', false],
    ['find . -fprint /etc/list', false],
  ],
  'wrappers and command names': [
    ['timeout 5 cp x /etc/y', false],
    ['nice -n 5 nohup cp x /etc/y', false],
    ['command cp x /etc/y', false],
    ['command -v cp', true],
    ['/bin/cp x /etc/y', false],
    ['$CP x /etc/y', false],
    ['$CP x y', false], // CP='cp -t /etc' would write there
    ['cp "$X" a b', false], // X='--target-directory=/etc'
    ['cp $X b', false],
    ['cp --target-directory="$X" a', false],
    ['cp -- "$X" out/', true],
    ['ls | xargs $OPTS rm', false],
    ['git branch "$X" main', false], // X='-D'
    ['git commit -m "$(cat msg.txt)"', true],
    ['git clone "$URL" /etc/x', false],
    ['find . $EXPR', false], // EXPR='-delete'
    ['find . -name "$PATTERN" -print', true],
    ['env -S "cp x /etc/y"', false],
    ['sudo touch x', false],
    ['"$(git rev-parse --show-toplevel)/node_modules/.bin/tsc" -p .', true],
    ['/usr/bin/time -o /etc/t make', false],
    ['time make > build.log', true],
  ],
  'home and variables': [
    ['cp x ~/y', false],
    ['cp x ~root/y', false],
    ['cp x $HOME/y', false],
    ['cp x "$OUT"', false],
    ['touch "$(pwd)/x"', false],
    ['cp x "$(git rev-parse --show-toplevel)/y"', true],
    ['cd /tmp && cp x "$(git rev-parse --show-toplevel)/y"', false],
    ["cp x $'\\x2fetc/y'", false],
    ["PS4='$(touch /etc/y)' bash -xc true", false],
  ],
  'globs, braces, links': [
    ['rm -rf .*', false],
    ['rm -rf src/*', true],
    ['touch {a,/etc/x}', false],
    ['touch {a,b}/c', true],
    ['ln /etc/passwd p', false],
    ['cp -l /etc/passwd p', false],
    ['ln -s /usr/share/dict/words words', true], // a symlink out: later writes through it are checked on disk
    ['ln -s "$(pwd | sed s#/.ve/.*##)" host', false],
    ['chmod -w /etc/x', false],
    ['tar -xf a.tar -C /etc', false],
    ['tar czf /etc/x.tgz .', false],
    ['tar -xPf a.tar', false],
    ['tar -czf out.tgz -C /usr/share/doc git', true],
    ['dd if=x of=/etc/y', false],
    ['curl -sSLo /etc/x http://localhost/', false],
    ['sort -o /etc/x a', false],
  ],
  // inline programs write where they like: beyond string analysis; docs/security.md "residue"
  'residue: inline programs (allowed; only the OS sandbox stops them)': [
    [`node -e "require('fs').writeFileSync('/etc/x', '')"`, true],
    [`python3 -c "open('/etc/x', 'w')"`, true],
    [`perl -e 'open(F, ">/etc/x")'`, true],
    [`ruby -e 'File.write("/etc/x", "")'`, true],
    [`awk 'BEGIN { print > "/etc/x" }'`, true],
    [`sed -n 'w /etc/x' in.txt`, true],
  ],
  'not bash': [
    ['echo "unterminated', false],
    ['if then', false],
  ],
};

describe('decideShell', () => {
  for (const [family, vectors] of Object.entries(FAMILIES)) {
    describe(family, () => {
      for (const [command, allowed] of vectors) {
        it(`${allowed ? 'allows' : 'denies'} ${JSON.stringify(command)}`, () => {
          const d = decideShell(command, ctx);
          assert.equal(d.allow, allowed, JSON.stringify(d));
          // a denial tells the agent what happened and what to do instead
          if (!d.allow) assert.match(d.reason, /^Blocked: .+\. \S.*\.$/s);
        });
      }
    });
  }

  it('refuses a command too large to check in reasonable time, and says so', () => {
    // the last is short, but a loop reads its eval string again on each round: 2 × 300 statements
    const reread = `while true; do eval '${'true;'.repeat(300)}'; cd /tmp; done`;
    for (const huge of ['true;'.repeat(501), `echo ${'x'.repeat(50_001)}`, reread]) {
      const started = performance.now();
      const d = decideShell(huge, ctx);
      assert.equal(d.allow, false);
      if (!d.allow) assert.match(d.reason, /too large to check/);
      assert.ok(performance.now() - started < 3000, `took ${Math.round(performance.now() - started)} ms`);
    }
    // a large here-document is cheap to read: writing a file with one stays possible
    const heredoc = `cat > notes.md <<'EOF'\n${'a line of text\n'.repeat(3000)}EOF`;
    assert.equal(decideShell(heredoc, ctx).allow, true);
    // without a cd, nested loops are read once each
    const loops = `${'while true; do '.repeat(20)}touch out${'; done'.repeat(20)}`;
    assert.equal(decideShell(loops, ctx).allow, true);
  });

  it('names the target it found in its reasons, as the agent wrote it', () => {
    const d = decideShell('mv x /home/u/y 2>&1', ctx);
    assert.equal(d.allow, false);
    if (!d.allow) assert.match(d.reason, /writing to \/home\/u\/y is outside your worktree/);
    const home = decideShell('cp x ~/y', ctx);
    if (!home.allow) assert.match(home.reason, /~\/y goes to a home directory/);
    const pipe = decideShell('ls | xargs rm', ctx);
    if (!pipe.allow) assert.match(pipe.reason, /find … -delete/);
  });

  it('follows a cd in sourced code into the next command, and not one in a child shell', () => {
    const sourced = decideShell("source /dev/stdin <<< 'cd /tmp'; cp a b", ctx);
    assert.deepEqual(sourced.allow && sourced.paths, ['/tmp', '/tmp/b', `${W}/b`]);
    const child = decideShell("bash -s <<< 'cd /tmp'; cp a b", ctx);
    assert.deepEqual(child.allow && child.paths, ['/tmp', `${W}/b`]);
  });

  it('lists every target inside the worktree or a scratch directory for the symlink check', () => {
    const d = decideShell('cd src && cp a b 2>/dev/null && echo x > /tmp/log && ln -s x link', ctx);
    assert.deepEqual(d.allow && d.paths, [`${W}/src`, `${W}/src/b`, '/tmp/log', `${W}/src/link`]);
  });
});
