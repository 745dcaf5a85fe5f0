import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { aWorkUnit, makeStoreHarness } from '../../test/builders.js';
import { writeChunk } from '../../test/support/chunk-docs.js';
import { gitOk, mergeTreeProbe } from '../../test/support/git.js';
import { FsChunkRepo } from '../chunks/fs-chunk-repo.js';
import type { WorkUnit } from '../domain/work-unit.js';
import { silentLogger } from '../infra/json-logger.js';
import { OracleService } from './oracle-service.js';

const SHARED = Array.from({ length: 12 }, (_, i) => `export const line${i} = ${i};`).join('\n');

/** Every file's mtime under `dir` (worktrees included), plus the index files git would touch. */
function mtimes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (rel === '.git') continue;
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out[rel] = s.mtimeMs;
    }
  };
  walk(dir);
  out['.git/index'] = statSync(join(dir, '.git', 'index')).mtimeMs;
  return out;
}

describe('LIVE probe on a real repository', () => {
  let host = '';
  const wt = (c: string) => join(host, '.ve', 'chunks', c, 'worktree');

  before(async () => {
    host = mkdtempSync(join(tmpdir(), 've-oracle-git-'));
    await gitOk(host, ['init', '-q', '-b', 'main']);
    await gitOk(host, ['config', 'user.email', 'oracle@test']);
    await gitOk(host, ['config', 'user.name', 'oracle test']);
    mkdirSync(join(host, 'src'));
    writeFileSync(join(host, 'src', 'shared.ts'), `${SHARED}\n`);
    writeFileSync(join(host, 'src', 'other.ts'), 'export const other = 1;\n');
    writeFileSync(join(host, '.gitignore'), '.ve/\n');
    // the plans name different files: only the branches can reveal the conflict
    for (const [c, file] of [
      ['a', 'src/shared.ts#line1'],
      ['b', 'src/shared.ts#line9'],
      ['c', 'src/other.ts'],
      ['d', 'src/third.ts'],
    ] as const) {
      writeChunk(host, c, { goal: `Chunk ${c}.` }, { approach: 'Edit.', steps: [`Location: ${file}`] });
    }
    await gitOk(host, ['add', '-A']);
    await gitOk(host, ['commit', '-qm', 'base']);
    const edits: Record<string, [string, string]> = {
      a: ['src/shared.ts', SHARED.replace('line3 = 3', 'line3 = 300')],
      b: ['src/shared.ts', SHARED.replace('line3 = 3', 'line3 = -3')],
      c: ['src/other.ts', 'export const other = 2;'],
      d: ['src/third.ts', 'export const third = 3;'],
    };
    for (const [c, [file, text]] of Object.entries(edits)) {
      await gitOk(host, ['worktree', 'add', '-q', '-b', `orch/${c}`, wt(c), 'main']);
      writeFileSync(join(wt(c), file), `${text}\n`);
      await gitOk(wt(c), ['add', '-A']);
      await gitOk(wt(c), ['commit', '-qm', `edit ${file}`]);
    }
  });
  after(() => rmSync(host, { recursive: true, force: true }));

  it('finds the same-line conflict, not the different-file pair, and touches no working copy', async () => {
    const { store, clock } = makeStoreHarness();
    const units: WorkUnit[] = [];
    for (const c of ['a', 'b', 'c', 'd']) {
      units.push(
        await store.create(aWorkUnit({ chunk: c, phase: 'IMPLEMENT', status: 'RUNNING', worktree: wt(c) }), {
          source: 'api',
        }),
      );
    }
    const oracle = new OracleService({
      store,
      chunks: new FsChunkRepo(host),
      worktrees: mergeTreeProbe(host),
      config: () => ({ oracle_decide_threshold: 0.8 }),
      clock,
      log: silentLogger,
    });
    const status = async () =>
      Promise.all(
        [host, ...['a', 'b', 'c', 'd'].map(wt)].map((d) =>
          // no optional locks: plain `git status` refreshes a racily-clean index, which is the
          // observer touching the working copy, not the probe
          gitOk(d, ['--no-optional-locks', 'status', '--porcelain=v1', '-uall', '-b']),
        ),
      );
    const heads = async () =>
      Promise.all([host, ...['a', 'b', 'c', 'd'].map(wt)].map((d) => gitOk(d, ['rev-parse', 'HEAD'])));
    const before = { status: await status(), heads: await heads(), mtimes: mtimes(host) };

    const ab = await oracle.analyze('a', 'b');
    assert.deepEqual(
      [ab.verdict, ab.confidence, ab.stage, ab.overlapping_files],
      ['SERIALIZE', 1, 'LIVE', ['src/shared.ts']],
    );
    const cd = await oracle.analyze('c', 'd');
    assert.equal(cd.verdict, 'INDEPENDENT', cd.reason);
    assert.match(cd.reason, /branches merge cleanly/);
    const live = await oracle.probeImplementing(units);
    assert.deepEqual(live, [{ pair: ['a', 'b'], files: ['src/shared.ts'] }]);
    const gate = await oracle.gate(units[1]!, [units[0]!, units[2]!]);
    assert.ok(gate.kind === 'wait' && gate.behind.join() === 'a', JSON.stringify(gate));

    assert.deepEqual({ status: await status(), heads: await heads(), mtimes: mtimes(host) }, before);
    store.close();
  });

  it('probes again only the pairs of a branch that got a commit; uncommitted work is not probed', async () => {
    const { store, clock } = makeStoreHarness();
    const units: WorkUnit[] = [];
    for (const c of ['a', 'b', 'c', 'd']) {
      units.push(
        await store.create(aWorkUnit({ chunk: c, phase: 'IMPLEMENT', status: 'READY', worktree: wt(c) }), {
          source: 'api',
        }),
      );
    }
    const git = mergeTreeProbe(host);
    const probes: string[] = [];
    const oracle = new OracleService({
      store,
      chunks: new FsChunkRepo(host),
      worktrees: {
        branchTips: () => git.branchTips(),
        probe: (a, b, commits) => {
          probes.push(`${a}+${b}`);
          return git.probe(a, b, commits);
        },
      },
      config: () => ({ oracle_decide_threshold: 0.8 }),
      clock,
      log: silentLogger,
    });
    const ab = [{ pair: ['a', 'b'], files: ['src/shared.ts'] }];
    assert.deepEqual(await oracle.probeImplementing(units), ab);
    assert.equal(probes.splice(0).length, 6);
    assert.deepEqual(await oracle.probeImplementing(units), ab);
    assert.deepEqual(probes.splice(0), [], 'no branch moved: no merge-tree');

    // d edits c's line without committing: the branches do not conflict (yet), as before the cache
    writeFileSync(join(wt('d'), 'src/other.ts'), 'export const other = 4;\n');
    assert.deepEqual(await oracle.probeImplementing(units), ab);
    assert.deepEqual(probes.splice(0), []);
    await gitOk(wt('d'), ['commit', '-qam', 'edit other.ts']);
    const found = await oracle.probeImplementing(units);
    assert.deepEqual(found, [...ab, { pair: ['c', 'd'], files: ['src/other.ts'] }]);
    assert.deepEqual(probes.splice(0), ['a+d', 'b+d', 'c+d'], 'd committed: its k−1 pairs');
    store.close();
  });
});
