/** Table tests for the sandbox policy: which tool calls may run in a worktree inside the host repo. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideToolUse, isInside } from './sandbox.js';

const H = '/home/op/proj';
const W = `${H}/.ve/chunks/feat/worktree`;
const ctx = { worktree: W, hostRoot: H };

type Vector = [tool: string, input: Record<string, unknown>, allowed: boolean];

const bash = (command: string, allowed: boolean): Vector => ['Bash', { command }, allowed];

const VECTORS: Vector[] = [
  // writes
  ['Write', { file_path: `${W}/src/a.ts`, content: '' }, true],
  ['Write', { file_path: 'src/a.ts', content: '' }, true],
  ['Write', { file_path: W, content: '' }, true],
  ['Write', { file_path: `${W}/../other/a.ts` }, false],
  ['Write', { file_path: '../../../../src/a.ts' }, false],
  ['Write', { file_path: `${H}/src/a.ts` }, false],
  ['Write', { file_path: `${W}-evil/a.ts` }, false],
  ['Write', { file_path: '/etc/passwd' }, false],
  ['Write', { file_path: '/tmp/scratch.txt' }, false],
  ['Write', { file_path: '~/notes.md' }, false],
  ['Edit', { file_path: `${H}/.ve/chunks/other/worktree/a.ts` }, false],
  ['Edit', { file_path: `${W}/docs/chunks/feat/PLAN.md` }, true],
  ['MultiEdit', { file_path: '/usr/lib/x.js' }, false],
  ['NotebookEdit', { notebook_path: `${H}/nb.ipynb` }, false],
  ['NotebookEdit', { notebook_path: 'nb.ipynb' }, true],
  // reads
  ['Read', { file_path: `${W}/src/a.ts` }, true],
  ['Read', { file_path: 'README.md' }, true],
  ['Read', { file_path: '/usr/share/doc/git/README' }, true],
  ['Read', { file_path: `${H}/src/a.ts` }, false],
  ['Grep', { pattern: 'x', path: `${H}/src` }, false],
  ['Grep', { pattern: 'x', path: 'src' }, true],
  ['Glob', { pattern: '**/*.ts' }, true],
  // other tools
  ['AskUserQuestion', { questions: [] }, true],
  ['mcp__orchestrator__ReviewDecision', { decision: 'APPROVE' }, true],
  ['TodoWrite', { todos: [] }, true],
  // bash: ordinary
  bash('npm test', true),
  bash('ls -la && git status', true),
  bash('git add -A && git commit -m "feat: x"', true),
  bash('cd src && ls', true),
  bash('cd src && cd .. && ls', true),
  bash(`cd ${W} && git log`, true),
  bash(`cd ${W}/src`, true),
  bash('cd /tmp && ls', true),
  bash('echo hi > out.txt', true),
  bash('npm test 2>&1 | tail -5', true),
  bash('echo x > /dev/null', true),
  bash('cd -', true),
  bash('cd "$(git rev-parse --show-toplevel)"', true),
  // bash: cd out
  bash('cd ..', false),
  bash('cd ../..', false),
  bash('cd src && cd ../..', false),
  bash(`cd ${H}`, false),
  bash(`cd ${H}/`, false),
  bash(`cd '${H}'`, false),
  bash(`cd "${H}" && git commit -am x`, false),
  bash(`cd ${W}-evil`, false),
  bash('cd /etc && cat passwd', false),
  bash('cd ~', false),
  bash('cd', false),
  bash('pushd /usr/lib', false),
  bash(`cd /tmp && cd ${H}`, false),
  bash(`ls; (cd ${H} && make)`, false),
  // bash: git -C and friends
  bash(`git -C ${H} status`, false),
  bash(`git -C '${H}' commit -m x`, false),
  bash(`git -C ${W} status`, true),
  bash(`git -C ${W}/src status`, true),
  bash(`git -C ${W}-evil status`, false),
  bash('git -C ../.. log', false),
  bash('git -C src log', true),
  bash('git -C/etc log', false),
  bash(`git --git-dir=${H}/.git log`, false),
  bash('git --git-dir .git log', false),
  bash(`git --work-tree=${H} checkout .`, false),
  bash(`git --work-tree ${W} status`, true),
  // bash: env tricks
  bash(`GIT_DIR=${H}/.git git commit -m x`, false),
  bash(`GIT_WORK_TREE=${H} git add -A`, false),
  bash(`export GIT_DIR=${H}/.git; git log`, false),
  bash(`env GIT_DIR=/elsewhere/.git git log`, false),
  bash('GIT_INDEX_FILE=/tmp/idx git add .', false),
  bash(`GIT_DIR=${W}/.git git log`, true),
  bash('FOO=1 npm test', true),
  // bash: host root anywhere
  bash(`git log $(echo ${H})`, false),
  bash(`git log "$(cd ${H} && pwd)"`, false),
  bash(`cat ${H}/src/a.ts`, false),
  bash(`cp a.ts ${H}/src/`, false),
  bash(`ls \`echo ${H}\``, false),
  bash(`cat ${W}/src/a.ts`, true),
  bash(`git diff ${W}/src`, true),
  bash(`echo ${H}-other`, true),
  // bash: nested shells and redirections
  bash(`sh -c "cd ${H} && git commit"`, false),
  bash("bash -c 'cd /etc'", false),
  bash("bash -c 'cd src && make'", true),
  bash('eval "cd /usr"', false),
  bash('echo x > /etc/motd', false),
  bash('echo x >> ../outside.txt', false),
  bash(`echo x | tee ${H}/a.txt`, false),
  bash('echo x | tee -a log.txt', true),
  bash('echo x > /tmp/log.txt', true),
  // issue 7 §3: every escape vector, including the ones found while fuzzing the policy
  bash('cd /', false),
  bash('cd / && touch x', false),
  bash('cd ../../../..', false),
  bash('cd src && cd ../../../../..', false),
  bash('cd "$(pwd)/../../../.."', false),
  bash('cd `echo /`', false),
  bash(`cd "$(echo ${H})"`, false),
  // `..` through ordinary commands, never spelling the host path
  bash('touch ../../../../leak.txt', false),
  bash('cp payload.js ../../../../src/index.js', false),
  bash('cat ../../../../README.md', false),
  bash('ls ..', false),
  bash('rm -rf ../../other/worktree', false),
  bash('mv x --target-directory=../../../..', false),
  bash('tar -xf a.tar -C ../../../..', false),
  bash('cp ../../../../.env .', false),
  bash('echo x > ../../../../.git/hooks/pre-commit', false),
  bash('git log HEAD~3..HEAD', true),
  bash('git diff main...HEAD -- src', true),
  bash('cp a.txt /tmp/a.txt', true),
  bash('cp /usr/share/dict/words .', true),
  ['Write', { file_path: `${H}/.git/hooks/pre-commit` }, false],
  ['Write', { file_path: '../../../../.git/hooks/pre-commit' }, false],
  ['MultiEdit', { file_path: '../../../../src/a.ts', edits: [] }, false],
  ['MultiEdit', { file_path: 'src/a.ts', edits: [] }, true],
  ['NotebookEdit', { notebook_path: '../../../../nb.ipynb' }, false],
  ['Edit', { file_path: `${W}/../../../../src/a.ts` }, false],
  // the config, hooks and refs a linked worktree shares with the host repository
  bash('git config core.hooksPath /tmp/hooks', false),
  bash('git config --add core.hooksPath hooks', false),
  bash('git config set core.hooksPath hooks', false),
  bash('git config alias.st "!touch /tmp/x"', false),
  bash('git config --global user.name x', false),
  bash('git config --unset user.name', false),
  bash('git config user.name', true),
  bash('git config --get user.email', true),
  bash('git config --list', true),
  bash('git -c core.hooksPath=/dev/null commit -m x', true),
  bash('git update-ref refs/heads/main HEAD', false),
  bash('git push . HEAD:main', false),
  bash('git branch -D main', false),
  bash('git branch -f main HEAD', false),
  bash('git branch -m orch/feat main', false),
  bash('git branch scratch-idea', true),
  bash('git branch --list', true),
  bash('git checkout --ignore-other-worktrees main', false),
  bash('git symbolic-ref HEAD refs/heads/main', false),
  bash('git symbolic-ref HEAD', true),
  bash('git tag -d v1', false),
  bash('git tag v1', true),
  bash('git worktree add /tmp/w main', false),
  bash('git worktree remove --force ../../other/worktree', false),
  bash('git worktree list', true),
  bash('git gc --prune=now', false),
  bash('git reflog expire --expire=now --all', false),
  bash('git remote add evil /tmp/evil.git', false),
  bash('git remote -v', true),
  bash('git filter-branch --tree-filter true HEAD', false),
  bash('git replace HEAD~1 HEAD', false),
  bash('git -C src config core.hooksPath x', false),
  // wrappers
  bash(`env -i sh -c "cd ${H}"`, false),
  bash('bash -c "git -C ../../../.. status"', false),
  bash("sh -c 'cd .. && cd ..'", false),
  bash('nohup sh -c "touch ../../../../x"', false),
  bash('eval "git update-ref refs/heads/main HEAD"', false),
  bash(`GIT_COMMON_DIR=${H}/.git git log`, false),
  bash('GIT_OBJECT_DIRECTORY=../../../../.git/objects git log', false),
  bash('command git push . HEAD:main', false),
  // targets computed at run time: variables and command substitution
  bash('H=$(pwd); cd "$H/../../../.."', false),
  bash('cd $HOME', false),
  bash('touch "$H/leak.txt"', false),
  bash('echo x > "$OUT"', false),
  bash('touch "$(pwd)/../../../../leak.txt"', false),
  bash(`echo x > "$(printf %s "$PWD" | sed 's#/.ve/.*##')/leak.txt"`, false),
  bash(`ln -s "$(printf %s "$PWD" | sed 's#/.ve/.*##')" hostlink`, false),
  bash('cp a.txt `echo /x`', false),
  bash('echo x > "$(git rev-parse --show-toplevel)/out.txt"', true),
  bash('git commit -m "$(cat msg.txt)"', true),
  bash('echo "built at $(date)" > build.txt', true),
  // issue 12: shell syntax that the word splitter misread, so the real target went unchecked
  bash('cp x /etc/evil 2>/dev/null', false),
  bash('mv x /home/u/y 2>&1', false),
  bash('ln -s x /etc/y 2>&1', false),
  bash('echo hi >| /etc/x', false),
  bash('install -m 644 f /opt/x', false),
  bash('install -m 644 f /opt/x 2>&1', false),
  bash('cp x /etc/evil 2>>/tmp/log', false),
  bash('echo hi &> /etc/x', false),
  bash('echo hi &>> /etc/x', false),
  bash('echo hi 1>/etc/x', false),
  bash('echo hi 2> /etc/x', false),
  bash('echo hi >& /etc/x', false),
  bash('exec 3<> /etc/x', false),
  bash('echo hi {fd}> /etc/x', false),
  bash('cp x out.txt 2>/dev/null', true),
  bash('npm test > log.txt 2>&1', true),
  bash('npm test &> log.txt', true),
  bash('echo hi >| out.txt', true),
  bash('install -m 644 f bin/x', true),
];

describe('decideToolUse', () => {
  for (const [tool, input, allowed] of VECTORS) {
    it(`${allowed ? 'allows' : 'denies'} ${tool} ${JSON.stringify(input)}`, () => {
      const d = decideToolUse(tool, input, ctx);
      assert.equal(d.allow, allowed, JSON.stringify(d));
      if (!d.allow) assert.match(d.reason, /^Blocked: .+\. \S/);
    });
  }

  it('tells the agent what to do instead', () => {
    const d = decideToolUse('Write', { file_path: '/etc/x' }, ctx);
    assert.equal(d.allow, false);
    if (!d.allow) assert.match(d.reason, /relative/);
  });

  it('treats trailing slashes on the context as the same directories', () => {
    const d = decideToolUse('Write', { file_path: `${W}-evil/a` }, { worktree: `${W}/`, hostRoot: `${H}/` });
    assert.equal(d.allow, false);
    assert.equal(
      decideToolUse('Write', { file_path: `${W}/a` }, { worktree: `${W}/`, hostRoot: H }).allow,
      true,
    );
  });

  it('allows scratch directories only when the host repository is not there', () => {
    const tmpCtx = { worktree: '/tmp/t1/host/.ve/chunks/c/worktree', hostRoot: '/tmp/t1/host' };
    assert.equal(decideToolUse('Bash', { command: 'cd /tmp/other' }, tmpCtx).allow, true);
    assert.equal(decideToolUse('Bash', { command: 'cd /tmp/t1/host' }, tmpCtx).allow, false);
  });
});

describe('decideToolUse write targets', () => {
  const writes = (command: string) => {
    const d = decideToolUse('Bash', { command }, ctx);
    assert.equal(d.allow, true, JSON.stringify(d));
    return d.allow ? (d.paths ?? []) : [];
  };

  it('lists where an allowed shell command writes or moves to, for the symlink check', () => {
    assert.deepEqual(writes('echo x > out/a.txt'), [`${W}/out/a.txt`]);
    assert.deepEqual(writes('cd src && cp ../a.txt b.txt'), [`${W}/src`, `${W}/src/b.txt`]);
    assert.deepEqual(writes('git -C sub commit -m x'), [`${W}/sub`]);
    assert.deepEqual(writes('echo x | tee -a log.txt'), [`${W}/log.txt`]);
    assert.deepEqual(writes('touch a b'), [`${W}/a`, `${W}/b`]);
    assert.deepEqual(writes('cp -t dest a b'), [`${W}/dest`]);
    assert.deepEqual(writes('chmod +x run.sh'), [`${W}/run.sh`]);
    assert.deepEqual(writes("sed -i 's/a/b/' f.txt"), [`${W}/f.txt`]);
    assert.deepEqual(writes("sed 's/a/b/' f.txt"), []);
    assert.deepEqual(writes('ls -la && cat a'), []);
    // a scratch directory may hold a symlink too: its targets are followed on disk as well
    assert.deepEqual(writes('echo x > /tmp/scratch'), ['/tmp/scratch']);
    assert.deepEqual(writes('echo x > /dev/null 2>/dev/stderr'), []);
  });
});

describe('isInside', () => {
  it('respects path boundaries', () => {
    assert.equal(isInside('/a/b', '/a/b'), true);
    assert.equal(isInside('/a/b/c', '/a/b'), true);
    assert.equal(isInside('/a/bc', '/a/b'), false);
    assert.equal(isInside('/x', '/'), true);
  });
});
