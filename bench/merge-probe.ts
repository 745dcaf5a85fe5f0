/**
 * Cost of a LIVE conflict probe (`git merge-tree --write-tree`, no working copy) against the
 * alternative of a trial `git merge` in a scratch worktree. Run: `node dist/bench/merge-probe.js`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { projectPaths } from '../src/config/paths.js';
import { GitWorktrees } from '../src/git/git-worktrees.js';
import { silentLogger } from '../src/infra/json-logger.js';
import { benchGit, makeScratchRepo } from './git-floor.js';

export interface MergeProbeResult {
  runs: number;
  /** median ms of one raw `git merge-tree --write-tree --name-only` */
  mergeTreeMs: number;
  /** median ms of GitWorktrees.probe (the same plus resolving both branch tips) */
  adapterProbeMs: number;
  /** median ms of worktree add + `git merge --no-commit` + worktree remove */
  scratchMergeMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Two unit branches that both edit one file (a conflict) and touch a few others each. */
async function prepare(root: string): Promise<void> {
  for (const unit of ['alpha', 'beta']) {
    await benchGit(['checkout', '--quiet', '-b', `orch/${unit}`, 'main'], root);
    writeFileSync(join(root, 'src/mod00/file0000.ts'), `export const value0 = '${unit}';\n`);
    for (let i = 1; i <= 5; i++) writeFileSync(join(root, `src/mod0${i}/${unit}-${i}.ts`), `// ${unit}\n`);
    await benchGit(['add', '-A'], root);
    await benchGit(['commit', '--quiet', '-m', unit], root);
  }
  await benchGit(['checkout', '--quiet', 'main'], root);
}

export async function measureMergeProbe(runs = 15, files = 2000): Promise<MergeProbeResult> {
  const root = await makeScratchRepo(files, 20);
  const scratch = mkdtempSync(join(tmpdir(), 've-probe-wt-'));
  try {
    await prepare(root);
    const wt = new GitWorktrees({ root, paths: projectPaths(root), log: silentLogger });
    const raw: number[] = [];
    const adapter: number[] = [];
    const trial: number[] = [];
    for (let i = 0; i < runs; i++) {
      raw.push(
        await time(async () => {
          const args = [
            'merge-tree',
            '--write-tree',
            '--name-only',
            '--no-messages',
            'orch/alpha',
            'orch/beta',
          ];
          await benchGit(args, root).catch((e: { code?: number }) => {
            if (e.code !== 1) throw e; // exit 1 = conflicts found, the expected answer here
          });
        }),
      );
      adapter.push(await time(() => wt.probe('alpha', 'beta')));
      const dir = join(scratch, `t${i}`);
      trial.push(
        await time(async () => {
          await benchGit(['worktree', 'add', '--quiet', '--detach', dir, 'orch/alpha'], root);
          await benchGit(['merge', '--no-commit', '--no-ff', 'orch/beta'], dir).catch(() => undefined);
          await benchGit(['worktree', 'remove', '--force', dir], root);
        }),
      );
    }
    return { runs, mergeTreeMs: median(raw), adapterProbeMs: median(adapter), scratchMergeMs: median(trial) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureMergeProbe();
  const f = (x: number) => x.toFixed(1);
  console.log(`merge-probe (${r.runs} runs, 2000-file repo, medians)`);
  console.log(`  git merge-tree probe        ${f(r.mergeTreeMs)} ms`);
  console.log(`  GitWorktrees.probe          ${f(r.adapterProbeMs)} ms`);
  console.log(`  scratch-worktree git merge  ${f(r.scratchMergeMs)} ms`);
  console.log(`  ratio probe / scratch merge ${(r.adapterProbeMs / r.scratchMergeMs).toFixed(3)}`);
}
