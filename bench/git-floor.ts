/**
 * The bare-git floor (DESIGN §13): what git itself must do per unit — worktree add, one commit,
 * merge into base, worktree remove — run serially with plain git commands and no ve code.
 * Other benches divide their own cost by this number.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);
const IDENTITY = [
  '-c',
  'user.name=ve-bench',
  '-c',
  'user.email=bench@localhost',
  '-c',
  'commit.gpgsign=false',
];

export function benchGit(args: string[], cwd: string): Promise<{ stdout: string }> {
  return run('git', [...IDENTITY, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Time for `n` units through plain git, serially, in `root` (a scratch repository with at least one
 * commit): each gets a worktree on its own branch, one commit, a merge into root's current branch,
 * then worktree and branch removal. Root's current branch receives the n merges.
 */
export async function measureGitFloor(n: number, root: string): Promise<{ ms: number }> {
  const scratch = mkdtempSync(join(tmpdir(), 've-floor-wt-'));
  const tag = `${process.pid}-${Date.now()}`;
  try {
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const branch = `floor/${tag}-${i}`;
      const wt = join(scratch, `u${i}`);
      await benchGit(['worktree', 'add', '--quiet', '-b', branch, wt, 'HEAD'], root);
      writeFileSync(join(wt, `floor-${tag}-${i}.txt`), `unit ${i}\n`);
      await benchGit(['add', '-A'], wt);
      await benchGit(['commit', '--quiet', '-m', `floor unit ${i}`], wt);
      await benchGit(['merge', '--quiet', '--no-edit', branch], root);
      await benchGit(['worktree', 'remove', '--force', wt], root);
      await benchGit(['branch', '--quiet', '-d', branch], root);
    }
    return { ms: performance.now() - start };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A scratch repository with `files` files spread over `dirs` folders and one commit on `main`. */
export async function makeScratchRepo(files = 500, dirs = 10): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 've-bench-repo-'));
  await benchGit(['init', '--quiet', '-b', 'main'], root);
  for (let i = 0; i < files; i++) {
    const p = join(
      root,
      'src',
      `mod${String(i % dirs).padStart(2, '0')}`,
      `file${String(i).padStart(4, '0')}.ts`,
    );
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, `export const value${i} = ${i};\n`.repeat(20));
  }
  await benchGit(['add', '-A'], root);
  await benchGit(['commit', '--quiet', '-m', 'bench fixture'], root);
  return root;
}
