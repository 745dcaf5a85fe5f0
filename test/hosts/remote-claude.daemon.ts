/**
 * Runs as the daemon user (through hosts.e2e.test.ts): the real Agent SDK `query()` with the SSH
 * launcher, the real Claude Code binary on a namespace host, and the scripted model server reached
 * from the host through a relay on the pool's bridge.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { replySequence, userText } from '../../src/demo/scripted-model-server.js';
import { claudeOnHostFixture, type Run } from '../support/claude-on-host.js';

assert.ok(process.env.VE_TEST_SECRET, 'VE_TEST_SECRET is set by the root side');
const fx = await claudeOnHostFixture('claude-e2e');
const { pool, host, secret, git, transport, h1, workspace, lease, wt, onHost, runOnHost, hostProcesses } = fx;
after(() => fx.close());

/** every process command line on this machine that the daemon user can read (all of them) */
function commandLinesContaining(text: string): string[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        return cmd.includes(text) ? [`${pid}: ${cmd.replaceAll('\0', ' ').slice(0, 200)}`] : [];
      } catch {
        return [];
      }
    });
}

let sessionId = '';

describe('Claude Code on a host over ssh, driven by the Agent SDK', () => {
  it('writes and commits in the host’s worktree, asking canUseTool on the daemon’s side', async () => {
    const file = join(wt.path, 'hello.txt');
    let cmdlinesWhileRunning: string[] | null = null;
    const run = await runOnHost(
      replySequence([
        { toolUses: [{ name: 'Write', input: { file_path: file, content: 'hi from the host\n' } }] },
        {
          toolUses: [
            {
              name: 'Bash',
              input: { command: 'git add hello.txt && git commit -q -m "add hello"', description: 'commit' },
            },
          ],
        },
        { text: 'All done.' },
      ]),
      {
        prompt: 'Write hello.txt and commit it. (first-prompt-marker)',
        onAsk: () => {
          cmdlinesWhileRunning ??= commandLinesContaining(secret);
        },
      },
    );
    assert.equal(run.thrown, null, `${String(run.thrown)}\n${run.stderr}`);
    assert.equal(run.result?.subtype, 'success', run.stderr);
    assert.deepEqual(
      run.asked.map((a) => a.tool),
      ['Write', 'Bash'],
    );
    assert.equal(run.asked[0]!.input.file_path, file);
    assert.ok((run.result?.total_cost_usd ?? 0) > 0, 'cost is reported');
    sessionId = run.result!.session_id;

    // the work is on the host, not here
    assert.equal(existsSync(file), false);
    assert.equal(await onHost('cat', file), 'hi from the host');
    assert.equal(await onHost('git', '-C', wt.path, 'log', '-1', '--format=%s'), 'add hello');
    // and comes back with the branch
    const back = await workspace.fetchBack('alpha', lease, null);
    assert.equal(git('show', `${back.commit}:hello.txt`), 'hi from the host');

    // the key reached the model server, and no command line on this machine showed it
    assert.ok(fx.state.sentToModel.includes(secret), 'the API key reached the model server');
    assert.deepEqual(cmdlinesWhileRunning, []);
  });

  it('keeps the transcript on the host, and a resume continues the session there', async () => {
    const transcripts = await onHost(
      'sh',
      '-c',
      'find "$HOME/.claude/projects" -name "$1.jsonl"',
      'sh',
      sessionId,
    );
    assert.match(transcripts, new RegExp(`${sessionId}\\.jsonl$`));
    assert.equal(
      existsSync(join(pool.daemonHome, '.claude', 'projects')),
      false,
      'no transcript on the daemon side',
    );
    let sawFirstPrompt = false;
    const run = await runOnHost(
      (req) => {
        sawFirstPrompt ||= userText(req).includes('first-prompt-marker');
        return { text: 'Resumed.' };
      },
      { prompt: 'Go on.', resume: sessionId },
    );
    assert.equal(run.result?.subtype, 'success', `${String(run.thrown)}\n${run.stderr}`);
    assert.equal(run.result?.session_id, sessionId);
    assert.ok(sawFirstPrompt, 'the resumed request carries the first session’s prompt');
  });

  it('an abort mid-turn stops Claude Code and the tool it runs on the host', async () => {
    const abort = new AbortController();
    const running = runOnHost(
      // Claude Code refuses a bare `sleep`; `tail -f` blocks just as well
      replySequence([
        { toolUses: [{ name: 'Bash', input: { command: 'tail -f /dev/null', description: 'wait' } }] },
      ]),
      { prompt: 'Wait.', abort },
    );
    let ended: Run | null = null;
    void running.then((r) => {
      ended = r;
    });
    await fx.untilHostRuns('tail', () => ended);
    assert.ok((await hostProcesses()).includes('claude'));
    const t0 = performance.now();
    abort.abort();
    await running;
    const gone = performance.now() - t0;
    assert.deepEqual(await hostProcesses(), [], 'no claude and no tool left on the host');
    console.log(`measure: abort mid-tool to no remote process ${gone.toFixed(0)} ms`);
  });

  it('a stale lease starts nothing on the host', async () => {
    const run = await runOnHost(() => ({ text: 'never' }), {
      prompt: 'Hi',
      lease: { epoch: 9, token: 'deadbeef' },
    });
    assert.equal(run.result, null);
    assert.match(run.stderr, /stale lease/);
    assert.equal(fx.state.server?.messageRequests().length, 0);
  });

  it('runs agent shell commands in the OS sandbox on the host', async () => {
    const outside = join(host.home, 'escaped.txt');
    const run = await runOnHost(
      replySequence([
        { toolUses: [{ name: 'Bash', input: { command: `echo x > ${outside}`, description: 'escape' } }] },
        { toolUses: [{ name: 'Bash', input: { command: 'echo y > inside.txt', description: 'stay' } }] },
        { text: 'Tried.' },
      ]),
      {
        prompt: 'Try.',
        extra: {
          sandbox: {
            enabled: true,
            failIfUnavailable: true,
            autoAllowBashIfSandboxed: false,
            allowUnsandboxedCommands: false,
            filesystem: { allowWrite: [wt.gitDir, join(wt.commonDir, 'objects')] },
          },
        },
      },
    );
    assert.equal(run.result?.subtype, 'success', `${String(run.thrown)}\n${run.stderr}`);
    assert.equal(
      (await transport.run(h1, ['test', '-e', outside])).code,
      1,
      'the write outside the worktree was stopped',
    );
    assert.equal(await onHost('cat', join(wt.path, 'inside.txt')), 'y');
  });

  it('the daemon user cannot read the host user’s home', () => {
    assert.throws(() => readdirSync(host.home), { code: 'EACCES' });
  });
});
