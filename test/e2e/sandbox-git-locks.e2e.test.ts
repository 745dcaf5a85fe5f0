/**
 * Issue 12 §5: two agents on one repository, the real Claude Code binary with its OS sandbox on and
 * only the model scripted, while another process creates and deletes git's lock files in the host's
 * `.git` as fast as it can. Claude Code builds each sandbox from the names present in the git
 * directory a moment earlier; a name gone by the time bubblewrap mounts it used to fail the command
 * (`bwrap: Can't find source path …/.git/config.lock`, about one command in seven with two agents and
 * no churn at all). Every command must now run, once.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ClaudeAgentBackend } from '../../src/agents/claude/backend.js';
import { osSandboxUnavailable } from '../../src/agents/claude/os-sandbox.js';
import {
  claudeBinaryPath,
  envForScriptedModel,
  isMainLoop,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/demo/scripted-model-server.js';
import { silentLogger } from '../../src/infra/json-logger.js';
import type { AgentEvent } from '../../src/ports/agent-backend.js';
import { aPhaseRequest, makeUnitRepo } from '../support/agent-fixtures.js';
import { recordingObserver } from '../support/recording-observer.js';

/** shell commands per agent before its commit */
const COMMANDS = 12;
/** the lock files git takes in the host's git directory, churned beside the agents */
const LOCKS = ['config.lock', 'index.lock', 'packed-refs.lock', 'HEAD.lock', 'refs/heads/orch/zz.lock'];

const repo = makeUnitRepo('alpha');
const servers: ScriptedModelServer[] = [];
let churner: ChildProcess | null = null;
after(async () => {
  churner?.kill('SIGKILL');
  for (const s of servers) await s.close();
  repo.cleanup();
});

/** A child process that creates and removes the lock files in `gitDir` in a tight loop until killed. */
function churnLocks(gitDir: string): Promise<ChildProcess> {
  const code = `
    const fs = require('node:fs'), path = require('node:path');
    const names = ${JSON.stringify(LOCKS)}.map((n) => path.join(${JSON.stringify(gitDir)}, n));
    const clean = () => { for (const n of names) fs.rmSync(n, { force: true }); process.exit(0); };
    process.on('SIGTERM', clean);
    process.stdout.write('churning\\n');
    let i = 0;
    const spin = () => {
      for (let k = 0; k < 200; k++) {
        const n = names[i++ % names.length];
        try { fs.writeFileSync(n, '', { flag: 'wx' }); } catch {}
        fs.rmSync(n, { force: true });
      }
      setImmediate(spin); // lets SIGTERM in
    };
    spin();`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout?.once('data', () => resolve(child)));
}

/** One agent: COMMANDS shell commands appending to notes.txt, then a commit of it. */
async function agent(chunk: string, worktree: string) {
  let n = 0;
  const server = await startScriptedModelServer((req) => {
    if (!isMainLoop(req)) return { text: 'ok' };
    n += 1;
    if (n <= COMMANDS) {
      const command = `echo ${n} >> notes.txt`;
      return {
        toolUses: [{ id: `${chunk}_${n}`, name: 'Bash', input: { command, description: `step ${n}` } }],
      };
    }
    if (n === COMMANDS + 1) {
      const command = 'git add notes.txt && git commit -q -m notes';
      return {
        toolUses: [{ id: `${chunk}_commit`, name: 'Bash', input: { command, description: 'commit' } }],
      };
    }
    return { text: 'Done.' };
  });
  servers.push(server);
  const home = join(repo.root, `home-${chunk}`);
  mkdirSync(home);
  const backend = new ClaudeAgentBackend({
    pathToClaudeCodeExecutable: claudeBinaryPath(),
    env: { ...envForScriptedModel(server.url, home), CLAUDE_CODE_MAX_RETRIES: '0' },
    log: silentLogger,
  });
  const rec = recordingObserver();
  const request = aPhaseRequest(repo, { chunk, worktree, osSandbox: 'on', maxTurns: COMMANDS + 5 });
  const outcome = await backend.runPhase(request, rec.observer);
  const results = rec.events.filter(
    (e): e is Extract<AgentEvent, { type: 'tool_result' }> => e.type === 'tool_result',
  );
  return { outcome, results };
}

describe('sandboxed agents beside churning git locks', { timeout: 300_000 }, () => {
  it('runs every shell command of two agents once, and leaves no lock behind', async () => {
    assert.equal(
      await osSandboxUnavailable(),
      null,
      'this test needs bubblewrap and socat (npm test installs them)',
    );
    const beta = join(repo.host, '.ve', 'chunks', 'beta', 'worktree');
    execFileSync('git', ['worktree', 'add', '-q', '-b', 'orch/beta', beta], { cwd: repo.host });
    const gitDir = join(repo.host, '.git');
    churner = await churnLocks(gitDir);
    const [a, b] = await Promise.all([agent('alpha', repo.worktree), agent('beta', beta)]);
    const stopped = new Promise((r) => churner?.once('exit', r));
    churner.kill('SIGTERM');
    await stopped;

    for (const [chunk, run, wt] of [
      ['alpha', a, repo.worktree],
      ['beta', b, beta],
    ] as const) {
      assert.equal(run.outcome.kind, 'completed', `${chunk}: ${JSON.stringify(run.outcome)}`);
      const failed = run.results.filter((r) => r.is_error);
      assert.deepEqual(failed, [], `${chunk}: every command ran`);
      assert.equal(run.results.length, COMMANDS + 1);
      // each command ran exactly once: the file has each line once, and the commit holds it
      const lines = Array.from({ length: COMMANDS }, (_, i) => String(i + 1)).join('\n');
      assert.equal(
        execFileSync('git', ['show', `orch/${chunk}:notes.txt`], { cwd: repo.host, encoding: 'utf8' }).trim(),
        lines,
      );
      assert.equal(existsSync(join(wt, 'notes.txt')), true);
    }
    for (const lock of LOCKS) assert.equal(existsSync(join(gitDir, lock)), false, `${lock} left behind`);
  });
});
