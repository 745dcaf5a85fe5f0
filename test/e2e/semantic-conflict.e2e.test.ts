/**
 * Issue 10's proof with the real Claude Code binary (scripted model): two chunks that each pass the
 * project's tests alone but break them together (a rename and a new caller of the old name). Git
 * merges both cleanly; the train catches it, sends the second back to its agent with the failing
 * output, and both land with every first-parent commit ve made on main passing `node test.js`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { UnitListDto } from '../../src/api/dto.js';
import { envForScriptedModel, startScriptedModelServer } from '../../src/demo/scripted-model-server.js';
import { runVe } from '../support/cli.js';
import { createSemanticConflictRepo, PAIR, SemanticConflictBrain } from '../support/semantic-conflict.js';
import { socketApi } from '../support/socket-api.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** `node test.js` on a commit, run from outside ve */
function passesAt(root: string, sha: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 've-semantic-check-'));
  try {
    execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C ${dir}`], { cwd: root });
    return spawnSync('node', ['test.js'], { cwd: dir, stdio: 'ignore', timeout: 30_000 }).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a semantic conflict between two agents (real Claude Code)', { timeout: 600_000 }, () => {
  it('never lands a red main: the second unit goes back to its agent, then both land', async () => {
    const root = await createSemanticConflictRepo();
    const brain = new SemanticConflictBrain();
    const server = await startScriptedModelServer((req) => brain.reply(req));
    const env = {
      ...envForScriptedModel(server.url, mkdtempSync(join(tmpdir(), 've-home-'))),
      CLAUDE_CODE_MAX_RETRIES: '0',
    };
    const ve = async (...args: string[]) => {
      const res = await runVe([...args, '--project-dir', root], { cwd: root, env, timeoutMs: 60_000 });
      assert.equal(res.code, 0, `ve ${args.join(' ')} failed: ${res.stderr}`);
      return res.stdout;
    };
    cleanups.push(async () => {
      await runVe(['orch', 'stop', '--project-dir', root], { cwd: root, env });
      await server.close();
      rmSync(root, { recursive: true, force: true });
    });
    // without the train, both merge cleanly and main fails: that is what this test must never see
    assert.ok(passesAt(root, 'HEAD'));
    await ve('orch', 'start');
    await ve('orch', 'config', '--verify-command', 'node test.js', '--max-agents', '2');
    await ve('orch', 'inject', ...PAIR);
    const api = socketApi(root);
    await api.waitFor<UnitListDto>(
      '/api/work-units',
      (u) => u.count === 2 && u.work_units.every((w) => w.status === 'DONE'),
      400_000,
    );
    assert.equal(brain.fixes.length, 1, `exactly one unit was sent back to fix the break: ${brain.fixes}`);
    const merges = git(root, 'log', '--first-parent', '--format=%H %s', 'main')
      .trim()
      .split('\n')
      .filter((l) => l.includes("Merge branch 'orch/"));
    assert.equal(merges.length, 2, 'both landed');
    for (const line of merges) assert.ok(passesAt(root, line.slice(0, 40)), `main passes at ${line}`);
    assert.match(git(root, 'show', 'main:src/caller.js'), /greet/);
  });
});
