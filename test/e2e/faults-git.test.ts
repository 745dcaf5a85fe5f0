/**
 * Issue 7 §2, git and operator faults: a locked index in the operator's checkout during a merge, git
 * failing with "No space left on device" (a failing git wrapper first on the daemon's PATH), and the
 * operator switching branches and committing while merges happen. Each must end in a clear attention
 * item or an automatic recovery, never in lost work. Real daemon, CLI, git and SDK; fake agents.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AttentionItemDto, AttentionListDto, UnitListDto } from '../../src/api/dto.js';
import { assertInvariants, collectEvidence } from '../support/invariants.js';
import { type ChunkPlan, makePipelineProject, type PipelineProject } from '../support/pipeline-project.js';

const projects: PipelineProject[] = [];
after(async () => {
  for (const p of projects) await p.cleanup();
});

function project(chunks: ChunkPlan[], env?: NodeJS.ProcessEnv): PipelineProject {
  const p = makePipelineProject({ chunks, env, prefix: 've-faults-' });
  projects.push(p);
  return p;
}

const planned = (...names: string[]): ChunkPlan[] =>
  names.map((name) => ({ name, depends_on: [], planned: true }));

async function attentionFor(p: PipelineProject, chunk: string): Promise<AttentionItemDto> {
  const list = await p.api.waitFor<AttentionListDto>(
    '/api/attention',
    (a) => a.items.some((i) => i.chunk === chunk),
    120_000,
  );
  return list.items.find((i) => i.chunk === chunk) as AttentionItemDto;
}

async function allDone(p: PipelineProject, n: number): Promise<void> {
  await p.api.waitFor<UnitListDto>(
    '/api/work-units',
    (u) => u.count === n && u.work_units.every((w) => w.status === 'DONE'),
    180_000,
  );
}

async function checkEnd(p: PipelineProject, chunks: string[]): Promise<void> {
  await allDone(p, chunks.length);
  assertInvariants(await collectEvidence({ root: p.root, base: 'main', chunks, api: p.api }));
}

/** The chunk's work is safe on its branch and not on base. */
function assertOnBranchOnly(p: PipelineProject, chunk: string): void {
  assert.equal(p.repo.git('show', `orch/${chunk}:src/${chunk}.txt`), `${chunk} implemented\n`);
  assert.ok(
    !p.repo.git('ls-tree', '-r', '--name-only', 'main').includes(`src/${chunk}.txt`),
    'nothing merged',
  );
}

describe('git and operator faults', { timeout: 600_000 }, () => {
  it('a locked index in the checked-out base: a MERGE item naming the lock, then a retry lands it', async () => {
    const p = project(planned('flock'));
    await p.start();
    const lock = join(p.root, '.git', 'index.lock');
    writeFileSync(lock, ''); // another git process (an editor, an IDE) holds the operator's index
    await p.mustVe('orch', 'inject', 'flock');
    const item = await attentionFor(p, 'flock');
    assert.equal(item.kind, 'MERGE', item.reason);
    assert.match(item.reason, /^Merge into main refused: .*index\.lock/s);
    assertOnBranchOnly(p, 'flock');
    rmSync(lock);
    await p.mustVe('orch', 'retry', 'flock');
    await checkEnd(p, ['flock']);
  });

  it('git failing with "No space left on device": an ERROR item with git’s words, then a retry lands it', async () => {
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const scratch = mkdtempSync(join(tmpdir(), 've-faults-bin-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    const bin = join(scratch, 'bin');
    const full = join(scratch, 'disk-full');
    mkdirSync(bin);
    // only the writes that land a merge fail: the agents' commits in their worktrees still work
    writeFileSync(
      join(bin, 'git'),
      `#!/bin/sh\nif [ -e ${full} ]; then for a in "$@"; do case "$a" in commit-tree|update-ref|merge) echo "error: unable to write file .git/objects/ab/cdef: No space left on device" >&2; echo "fatal: cannot update ref: No space left on device" >&2; exit 128;; esac; done; fi\nexec ${realGit} "$@"\n`,
    );
    chmodSync(join(bin, 'git'), 0o755);
    const p = project(planned('fdisk'), { PATH: `${bin}:${process.env.PATH}` });
    await p.start(); // base: main
    p.repo.git('checkout', '-q', '-b', 'side'); // base not checked out: the merge is a ref update
    writeFileSync(full, '');
    await p.mustVe('orch', 'inject', 'fdisk');
    const item = await attentionFor(p, 'fdisk');
    assert.equal(item.kind, 'ERROR', item.reason);
    assert.match(item.reason, /No space left on device/);
    assertOnBranchOnly(p, 'fdisk');
    rmSync(full); // space freed
    await p.mustVe('orch', 'retry', 'fdisk');
    await checkEnd(p, ['fdisk']);
    assert.equal(p.repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'side');
  });

  it('the operator switching branches and committing while merges happen: all lands, nothing of theirs is lost', async () => {
    const chunks = ['op1', 'op2', 'op3', 'op4', 'op5'];
    const p = project(planned(...chunks));
    await p.start();
    await p.mustVe('orch', 'config', '--max-agents', '2');
    p.repo.writeFile('README.md', '# test repo\n\nthe operator is still writing this\n'); // never committed
    await p.mustVe('orch', 'inject', ...chunks);
    const retried: string[] = [];
    const operatorCommits: { branch: string; file: string; round: number }[] = [];
    /** the operator's git: a command that meets the daemon's index lock is simply tried again */
    const opGit = async (...args: string[]) => {
      for (let i = 0; ; i++) {
        try {
          return p.repo.git(...args);
        } catch (e) {
          const stderr = String((e as { stderr?: string }).stderr);
          if (i > 50 || !/index\.lock|cannot lock ref/.test(stderr))
            throw new Error(
              `operator: git ${args.join(' ')}: ${stderr}\n${p.repo.git('status')}\n${p.repo.git('log', '--oneline', '--graph', '--all')}`,
            );
          await sleep(100);
        }
      }
    };
    let round = 0;
    for (;;) {
      const units = await p.api.get<UnitListDto>('/api/work-units');
      if (units.work_units.every((u) => u.status === 'DONE')) break;
      assert.ok(
        round < 400,
        `still not done: ${JSON.stringify(units.work_units.map((u) => [u.chunk, u.status]))}`,
      );
      // a refused merge (the operator's git held the index at that moment) is retried, as an operator would
      for (const u of units.work_units.filter((x) => x.status === 'NEEDS_ATTENTION')) {
        assert.equal(
          u.attention_kind,
          'MERGE',
          `${u.chunk}: ${u.attention_reason}\n${p.repo.git('status')}\n${p.repo.git('log', '--oneline', '--graph', '--all')}`,
        );
        retried.push(`${u.chunk}: ${u.attention_reason}`);
        await p.mustVe('orch', 'retry', u.chunk);
      }
      round += 1;
      const branch = round % 2 === 0 ? 'main' : 'feature';
      await opGit('checkout', '-q', ...(branch === 'feature' && round === 1 ? ['-b'] : []), branch);
      const file = `${branch}-${round}.txt`;
      p.repo.writeFile(file, `operator ${round}\n`);
      await opGit('add', file);
      await opGit('commit', '-q', '-m', `operator: ${file}`);
      operatorCommits.push({ branch, file, round });
      await sleep(300);
    }
    await opGit('checkout', '-q', 'main');
    await checkEnd(p, chunks);
    for (const { branch, file, round: n } of operatorCommits) {
      assert.equal(
        p.repo.git('show', `${branch}:${file}`),
        `operator ${n}\n`,
        `the operator's ${file} is on ${branch}`,
      );
    }
    assert.match(
      p.repo.readFile('README.md'),
      /the operator is still writing this/,
      'the uncommitted edit survived',
    );
    const status = p.repo.git('status', '--porcelain');
    assert.equal(status, ' M README.md\n', `only the operator's edit is pending:\n${status}`);
    for (const c of chunks)
      assert.ok(existsSync(join(p.root, 'src', `${c}.txt`)), `the checkout has src/${c}.txt`);
    if (retried.length > 0)
      console.log(`merges refused while the operator used git, then retried:\n${retried.join('\n')}`);
  });
});
