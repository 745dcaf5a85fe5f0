/**
 * The generated corpus (issue 12): writer commands × redirection forms × target paths × wrappers,
 * each judged by the shell policy and compared with what the target's class demands. Every allowed
 * write must also hand its resolved path to the symlink check. The counts per family are the ones
 * docs/security.md prints; the last test keeps the two in step.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decideShell } from './policy.js';

const H = '/home/op/proj';
const W = `${H}/.ve/chunks/feat/worktree`;
const ctx = { worktree: W, hostRoot: H };

type Verdict = 'allow' | 'deny';
interface Target {
  text: string;
  /** where a write lands (null: a device or unknowable); decides the verdict for writes */
  lands: string | null;
  write: Verdict;
  /** for `cd T`: scratch directories are fine there too */
  cd: Verdict;
  /** for `git -C T` / `GIT_DIR=T`: only the worktree */
  git: Verdict;
}
const t = (text: string, lands: string | null, write: Verdict, cd = write, git = cd): Target => ({
  text,
  lands,
  write,
  cd,
  git,
});

const TARGETS: Target[] = [
  t('out/x', `${W}/out/x`, 'allow'),
  t('./x', `${W}/x`, 'allow'),
  t(`${W}/x`, `${W}/x`, 'allow'),
  t('src/../x', `${W}/x`, 'allow'),
  t('"$(git rev-parse --show-toplevel)/x"', `${W}/x`, 'allow'),
  t('hostlink/x', `${W}/hostlink/x`, 'allow'), // looks inside; the symlink check follows it on disk
  t('/tmp/x', '/tmp/x', 'allow', 'allow', 'deny'),
  t('/dev/null', null, 'allow', 'deny', 'deny'),
  t('/etc/x', null, 'deny'),
  t('/home/u/x', null, 'deny'),
  t(`${H}/x`, null, 'deny'),
  t(`${W}-evil/x`, null, 'deny'),
  t('/dev/fd/3/x', null, 'deny'),
  t('~/x', null, 'deny'),
  t('~root/x', null, 'deny'),
  t('../../../../x', null, 'deny'),
  t('src/../../x', null, 'deny'),
  t('$HOME/x', null, 'deny'),
  t('"$OUT"', null, 'deny'),
  t('$(echo /etc)/x', null, 'deny'),
];

/** commands that write their target `T` */
const WRITERS: Record<string, (T: string) => string> = {
  cp: (T) => `cp x ${T}`,
  mv: (T) => `mv x ${T}`,
  'ln -s': (T) => `ln -s x ${T}`,
  install: (T) => `install -m 644 f ${T}`,
  'cp -t': (T) => `cp -t ${T} x`,
  'mv --target-directory=': (T) => `mv --target-directory=${T} x`,
  touch: (T) => `touch ${T}`,
  tee: (T) => `echo hi | tee -a ${T}`,
  rm: (T) => `rm -rf ${T}`,
  mkdir: (T) => `mkdir -p ${T}`,
  truncate: (T) => `truncate -s 0 ${T}`,
  chmod: (T) => `chmod 600 ${T}`,
  'sed -i': (T) => `sed -i s/a/b/ ${T}`,
  dd: (T) => `dd if=x of=${T}`,
  'tar -C': (T) => `tar -xf a.tar -C ${T}`,
  'sort -o': (T) => `sort -o ${T} x`,
  'curl -o': (T) => `curl -sSo ${T} http://localhost/`,
  rsync: (T) => `rsync -a x ${T}`,
};
/** `of=T`, `--x=T`: the toplevel idiom is only read at the start of a word, so it counts as unknown */
const JOINED = new Set(['dd', 'mv --target-directory=']);

const REDIRECTIONS = ['>', '>>', '>|', '1>', '2>', '2>>', '&>', '&>>', '>&', '3<>', '{fd}>'];
/** the noise that hid the target from the old word splitter */
const SUFFIXES = ['', ' 2>/dev/null', ' 2>&1', ' >/dev/null 2>&1', ' 2>>/tmp/ve-log'];

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
/** ways to run a command C: the verdict must not change */
const WRAPPERS: Record<string, (C: string) => string> = {
  plain: (C) => C,
  subshell: (C) => `( ${C} )`, // spaced: `((` would be arithmetic
  block: (C) => `{ ${C}; }`,
  '$( )': (C) => `echo "$( ${C} )"`, // spaced: `$((` would be arithmetic
  backticks: (C) => `echo \`${C}\``,
  eval: (C) => `eval ${q(C)}`,
  'bash -c': (C) => `bash -c ${q(C)}`,
  'sh -c': (C) => `sh -c ${q(C)}`,
  'eval in bash -c': (C) => `bash -c ${q(`eval ${q(C)}`)}`,
  'here-doc': (C) => `bash <<'EOF'\n${C}\nEOF`,
  xargs: (C) => `echo | xargs sh -c ${q(C)}`,
  'find -exec': (C) => `find . -maxdepth 0 -exec sh -c ${q(C)} \\;`,
  env: (C) => `env FOO=1 ${C}`,
  'nohup/timeout': (C) => `nohup timeout 5 ${C}`,
  '&&': (C) => `true && ${C}`,
  '||': (C) => `false || ${C}`,
  ';': (C) => `true; ${C}`,
  '|': (C) => `echo | ${C}`,
  '&': (C) => `${C} & wait`,
  if: (C) => `if true; then ${C}; fi`,
  for: (C) => `for i in 1; do ${C}; done`,
  function: (C) => `f() { ${C}; }; f`,
};

/** issue 12's five forms */
const ISSUE_FORMS = [
  (T: string) => `cp x ${T} 2>/dev/null`,
  (T: string) => `mv x ${T} 2>&1`,
  (T: string) => `ln -s x ${T} 2>&1`,
  (T: string) => `echo hi >| ${T}`,
  (T: string) => `install -m 644 f ${T}`,
];

/** wrappers that take one simple command, not a list or a builtin */
const SIMPLE_ONLY = new Set(['env', 'nohup/timeout']);

interface Case {
  family: string;
  command: string;
  expected: Verdict;
  /** a path the decision must list for the symlink check */
  lands: string | null;
}

function corpus(): Case[] {
  const cases: Case[] = [];
  for (const [name, writer] of Object.entries(WRITERS)) {
    for (const target of TARGETS) {
      const joinedIdiom = JOINED.has(name) && target.text.startsWith('"$(git');
      for (const suffix of SUFFIXES) {
        cases.push({
          family: 'writer commands × targets × redirection noise',
          command: writer(target.text) + suffix,
          expected: joinedIdiom ? 'deny' : target.write,
          lands: joinedIdiom ? null : target.lands,
        });
      }
    }
  }
  for (const op of REDIRECTIONS) {
    for (const target of TARGETS) {
      for (const suffix of SUFFIXES) {
        cases.push({
          family: 'redirection forms × targets',
          command: `echo hi ${op} ${target.text}${suffix}`,
          expected: target.write,
          lands: target.lands,
        });
      }
    }
  }
  // the issue's five forms in every wrapper, against every target
  for (const wrap of Object.values(WRAPPERS)) {
    for (const form of ISSUE_FORMS) {
      for (const target of TARGETS) {
        cases.push({
          family: 'issue 12 forms × targets × wrappers',
          command: wrap(form(target.text)),
          expected: target.write,
          lands: target.lands,
        });
      }
    }
  }
  for (const target of TARGETS) {
    for (const [wrapper, wrap] of Object.entries(WRAPPERS)) {
      if (SIMPLE_ONLY.has(wrapper)) continue; // `env cd`, `nohup GIT_DIR=…` are not what they look like
      // by design a cd inside a function, or a relative one inside a loop, is denied: it moves on every call
      const moves = wrapper === 'function' || (wrapper === 'for' && !/^["/]/.test(target.text));
      cases.push({
        family: 'cd × targets × wrappers',
        command: wrap(`cd ${target.text} && ls`),
        expected: moves ? 'deny' : target.cd,
        lands: null,
      });
      for (const command of [`git -C ${target.text} status`, `GIT_DIR=${target.text} git status`]) {
        cases.push({
          family: 'git -C / GIT_DIR × targets × wrappers',
          command: wrap(command),
          expected: target.git,
          lands: null,
        });
      }
    }
  }
  return cases;
}

const CASES = corpus();

/** per family: [cases, denied, allowed] as the policy decided them */
function judge(): { counts: Map<string, [number, number, number]>; wrong: string[] } {
  const counts = new Map<string, [number, number, number]>();
  const wrong: string[] = [];
  for (const c of CASES) {
    const d = decideShell(c.command, ctx);
    const got: Verdict = d.allow ? 'allow' : 'deny';
    const row = counts.get(c.family) ?? [0, 0, 0];
    row[0] += 1;
    row[got === 'deny' ? 1 : 2] += 1;
    counts.set(c.family, row);
    if (got !== c.expected) wrong.push(`${c.expected}: ${c.command} → ${JSON.stringify(d)}`);
    else if (!d.allow && !/^Blocked: .+\. \S/s.test(d.reason))
      wrong.push(`unclear reason: ${c.command} → ${d.reason}`);
    else if (d.allow && c.lands !== null && !d.paths?.includes(c.lands)) {
      wrong.push(`no symlink check for ${c.lands}: ${c.command} → ${JSON.stringify(d)}`);
    }
  }
  return { counts, wrong };
}

describe('the generated corpus', () => {
  const { counts, wrong } = judge();

  it(`judges all ${CASES.length} commands as their target demands`, () => {
    assert.deepEqual(wrong.slice(0, 20), []);
  });

  it('is the corpus docs/security.md counts', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../../docs/security.md'), 'utf8');
    const rows = [...counts].map(
      ([family, [n, denied, allowed]]) => `| corpus: ${family} | ${n} | ${denied} | ${allowed} |`,
    );
    assert.deepEqual(
      rows.filter((row) => !doc.includes(row)),
      [],
      'docs/security.md should have these rows in its corpus table',
    );
  });
});

/** how many command strings each wrapper adds (the policy reads at most 4 nested ones) */
const STRING_LEVELS: Record<string, number> = {
  eval: 1,
  'bash -c': 1,
  'sh -c': 1,
  'eval in bash -c': 2,
  'here-doc': 1,
  xargs: 1,
  'find -exec': 1,
};
const SEED = Number(process.env.VE_FUZZ_SEED ?? Date.now() % 2 ** 31);

describe('wrappers in wrappers (property)', () => {
  it(`keeps the verdict of the target through 1–4 nested wrappers (seed ${SEED})`, () => {
    // env and nohup take a simple command, and backticks do not nest without escapes, so they sit
    // innermost; a here-doc's closing line must end the text, so it sits outermost
    const innermost = [...SIMPLE_ONLY, 'backticks'];
    const middle = Object.keys(WRAPPERS).filter((w) => !innermost.includes(w) && w !== 'here-doc');
    const stack = fc.tuple(
      fc.option(fc.constantFrom(...innermost), { nil: undefined }),
      fc.array(fc.constantFrom(...middle), { minLength: 0, maxLength: 3 }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(
        stack,
        fc.constantFrom(...ISSUE_FORMS),
        fc.constantFrom(...TARGETS),
        ([inner, mid, heredoc], form, target) => {
          const names = [...(inner ? [inner] : []), ...mid, ...(heredoc ? ['here-doc'] : [])];
          const command = names.reduce(
            (c, w) => (WRAPPERS[w] as (c: string) => string)(c),
            form(target.text),
          );
          const levels = names.reduce((n, w) => n + (STRING_LEVELS[w] ?? 0), 0);
          const d = decideShell(command, ctx);
          // deeper than the policy reads: denied whatever the target
          const expected = levels > 4 ? 'deny' : target.write;
          assert.equal(d.allow ? 'allow' : 'deny', expected, `${command}\n${JSON.stringify(d)}`);
          if (d.allow && target.lands) assert.ok(d.paths?.includes(target.lands), command);
        },
      ),
      { seed: SEED, numRuns: Number(process.env.VE_FUZZ_RUNS ?? 300) },
    );
  });
});
