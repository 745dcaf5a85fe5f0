/**
 * Real git repositories for tests: a temp repo with an initial commit, plain-git helpers that bypass
 * the adapter (to set up and inspect state), and cleanup.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TestRepo {
  root: string;
  /** runs git in `cwd` (default: root) and returns trimmed stdout; throws on non-zero exit */
  git(args: string[], cwd?: string): string;
  write(rel: string, content: string, cwd?: string): void;
  read(rel: string, cwd?: string): string;
  /** writes the files and commits them on the current branch of `cwd`; returns the commit */
  commit(files: Record<string, string>, message: string, cwd?: string): string;
  /** local branch names, optionally only those under `prefix` (e.g. `orch/`) */
  branches(prefix?: string): string[];
  cleanup(): void;
}

/** Scrubbed like the adapter's: a test run from inside a git hook must not act on the outer repo. */
function testEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_')) delete env[k];
  // optional locks off: the tests' own `git status` must not rewrite an index a test is watching
  return { ...env, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_OPTIONAL_LOCKS: '0' };
}

export function makeTestRepo(
  opts: { initialFiles?: Record<string, string>; branch?: string } = {},
): TestRepo {
  const root = mkdtempSync(join(tmpdir(), 've-git-'));
  const env = testEnv();
  const git = (args: string[], cwd = root) =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
  const write = (rel: string, content: string, cwd = root) => {
    const p = join(cwd, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  };
  const repo: TestRepo = {
    root,
    git,
    write,
    read: (rel, cwd = root) => readFileSync(join(cwd, rel), 'utf8'),
    commit(files, message, cwd = root) {
      for (const [rel, content] of Object.entries(files)) write(rel, content, cwd);
      git(['add', '--', ...Object.keys(files)], cwd);
      git(['commit', '-q', '-m', message], cwd);
      return git(['rev-parse', 'HEAD'], cwd);
    },
    branches: (prefix = '') =>
      git(['for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}`])
        .split('\n')
        .filter(Boolean),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  git(['init', '-q', '-b', opts.branch ?? 'main']);
  git(['config', 'user.name', 'Test Operator']);
  git(['config', 'user.email', 'operator@example.test']);
  git(['config', 'commit.gpgsign', 'false']);
  // `.ve/` is deliberately not ignored here: the adapter must keep it out of `git status` itself
  repo.commit(
    { 'README.md': 'hello\n', '.gitignore': '.env\n', ...(opts.initialFiles ?? {}) },
    'initial commit',
  );
  return repo;
}

/** A repository with `git init` only: no commits yet. */
export function makeEmptyRepo(): TestRepo {
  const root = mkdtempSync(join(tmpdir(), 've-git-empty-'));
  const env = testEnv();
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root, env });
  return {
    root,
    git: (args, cwd = root) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim(),
    write: (rel, content, cwd = root) => writeFileSync(join(cwd, rel), content),
    read: (rel, cwd = root) => readFileSync(join(cwd, rel), 'utf8'),
    commit: () => {
      throw new Error('empty test repo: commit not supported');
    },
    branches: () => [],
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Hides the machine's global and system git config from this test process (and the git processes
 * the adapter spawns, which inherit process.env), so identity and other defaults are the repo's own.
 */
export function isolateGitConfig(): void {
  process.env.GIT_CONFIG_GLOBAL = '/dev/null';
  process.env.GIT_CONFIG_NOSYSTEM = '1';
}
