/**
 * Plain git for tests: a runner, and a tiny `git merge-tree` probe standing in for the git adapter's
 * `Worktrees.probe` (the adapter is built elsewhere; the oracle only needs the port).
 */
import { execFile } from 'node:child_process';
import type { LiveProbe, Worktrees } from '../../src/ports/worktrees.js';

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function git(cwd: string, args: string[]): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        if (code === -1) reject(err);
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

/** git, failing the test on a non-zero exit */
export async function gitOk(cwd: string, args: string[]): Promise<string> {
  const r = await git(cwd, args);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/**
 * `git merge-tree --write-tree --name-only` of `orch/<a>` and `orch/<b>` (or of the given commits):
 * exit 1 lists the conflicts. `branchTips` reads `refs/heads/orch/*`.
 */
export function mergeTreeProbe(repo: string): Pick<Worktrees, 'probe' | 'branchTips'> {
  return {
    async branchTips(): Promise<Map<string, string>> {
      const out = await gitOk(repo, [
        'for-each-ref',
        '--format=%(objectname) %(refname:lstrip=3)',
        'refs/heads/orch/',
      ]);
      return new Map(
        out
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => l.split(' ') as [string, string])
          .map(([sha, chunk]) => [chunk, sha]),
      );
    },
    async probe(a: string, b: string, commits?: readonly [string, string]): Promise<LiveProbe> {
      const [x, y] = commits ?? [`orch/${a}`, `orch/${b}`];
      const r = await git(repo, ['merge-tree', '--write-tree', '--name-only', '--no-messages', x, y]);
      if (r.code > 1) throw new Error(`git merge-tree failed (${r.code}): ${r.stderr}`);
      // first line: the merged tree's id; then one conflicted path per line
      const files = r.stdout
        .split('\n')
        .slice(1)
        .filter((l) => l.length > 0);
      return { clean: r.code === 0, conflicting_files: [...new Set(files)] };
    },
  };
}
