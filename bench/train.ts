/**
 * Issue 10's bench: 20 units ready to land, a verify command that takes a fixed 2 s (sleep), landed
 * through the real train (real git, real verify processes in their sandbox). Wall time to land all 20
 * with verify_parallelism 1 and 4, and with one failure in the middle, each as a ratio to the ideal
 * (20 × 2 s ÷ parallelism). Run alone: `node dist/bench/train.js`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { compose } from '../src/daemon/compose.js';
import type { ChunkName } from '../src/domain/chunk-name.js';
import { newWorkUnit, type WorkUnit } from '../src/domain/work-unit.js';
import { silentLogger } from '../src/infra/json-logger.js';
import type { Row } from './lib/table.js';

export interface TrainBenchResult {
  units: number;
  verifySeconds: number;
  parallelism: number;
  failingAt: number | null;
  wallMs: number;
  idealMs: number;
  landed: number;
  runs: number;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** A repository with `n` unit branches, each adding its own file on top of main. */
function repoWithBranches(n: number): string {
  const root = mkdtempSync(join(tmpdir(), 've-bench-train-'));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 'bench');
  git(root, 'config', 'user.email', 'bench@example.invalid');
  writeFileSync(join(root, 'README.md'), 'bench\n');
  writeFileSync(join(root, '.gitignore'), '.ve/\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  git(root, 'checkout', '-q', '--detach');
  for (let i = 1; i <= n; i++) {
    git(root, 'checkout', '-q', '-b', `orch/u${i}`, 'main');
    writeFileSync(join(root, `u${i}.txt`), `unit ${i}\n`);
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', `u${i}`);
  }
  git(root, 'checkout', '-q', '--detach', 'main');
  return root;
}

export async function measureTrain(opts: {
  units: number;
  verifySeconds: number;
  parallelism: number;
  failingAt: number | null;
}): Promise<TrainBenchResult> {
  const root = repoWithBranches(opts.units);
  mkdirSync(join(root, '.ve'), { recursive: true, mode: 0o700 });
  const parts = await compose({ root, log: silentLogger, baseBranch: 'main' });
  try {
    const sleep = `sleep ${opts.verifySeconds}`;
    const command = opts.failingAt === null ? sleep : `${sleep}; test ! -f u${opts.failingAt}.txt || exit 1`;
    await parts.store.patchConfig({
      verify_command: command,
      verify_parallelism: opts.parallelism,
      verify_max_retries: 0,
    });
    const now = new Date().toISOString();
    const units: WorkUnit[] = Array.from({ length: opts.units }, (_, i) => ({
      ...newWorkUnit({ chunk: `u${i + 1}` as ChunkName, phase: 'COMPLETE', status: 'VERIFYING', now }),
      base_branch: 'main',
      finalizing: true,
      train_seq: i + 1,
    }));
    await parts.train.start();
    const t0 = performance.now();
    await parts.store.createMany(units, { source: 'runner' });
    const expected = opts.units - (opts.failingAt === null ? 0 : 1);
    for (;;) {
      await parts.train.idle();
      const left = await parts.store.list({ status: 'VERIFYING' });
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const wallMs = performance.now() - t0;
    const done = await parts.store.list({ status: 'DONE' });
    if (done.length !== expected) throw new Error(`landed ${done.length}, expected ${expected}`);
    return {
      ...opts,
      wallMs,
      idealMs: (opts.units * opts.verifySeconds * 1000) / opts.parallelism,
      landed: done.length,
      runs: (await parts.verifyRuns.verifyRuns({ limit: 10_000 })).length,
    };
  } finally {
    await parts.train.stop();
    parts.store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export function trainRows(group: string, r: TrainBenchResult): Row {
  const what = r.failingAt === null ? 'no failure' : `unit ${r.failingAt} fails`;
  return {
    group,
    measure: `train: ${r.units} units, verify ${r.verifySeconds} s, parallelism ${r.parallelism}, ${what}`,
    value: r.wallMs / r.idealMs,
    unit: '× ideal',
    note: `${(r.wallMs / 1000).toFixed(1)} s vs ideal ${(r.idealMs / 1000).toFixed(0)} s (${r.units} × ${r.verifySeconds} s ÷ ${r.parallelism}); ${r.landed} landed, ${r.runs} verify runs`,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const parallelism of [1, 4]) {
    for (const failingAt of [null, 10]) {
      const r = await measureTrain({ units: 20, verifySeconds: 2, parallelism, failingAt });
      const row = trainRows('#10', r);
      console.log(`${row.measure}: ${(row.value as number).toFixed(2)} ${row.unit} — ${row.note}`);
    }
  }
}
