/**
 * Runs as the daemon user (through hosts.e2e.test.ts): the real Agent SDK `query()` with the SSH
 * spawner, the real Claude Code binary on a namespace host, and the scripted model server reached
 * from the host through a relay on the pool's bridge.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CanUseTool, type Options, query, type SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import {
  type ModelHandler,
  replySequence,
  type ScriptedModelServer,
  startScriptedModelServer,
  userText,
} from '../../src/demo/scripted-model-server.js';
import type { Lease } from '../../src/hosts/lease.js';
import { parseSshTarget } from '../../src/hosts/ssh-command.js';
import { controlDirFor, type SshHost, SshTransport } from '../../src/hosts/ssh-transport.js';
import { SshWorkspace } from '../../src/hosts/ssh-workspace.js';
import type { HostWorktree } from '../../src/hosts/workspace.js';
import { poolFromEnv, relayToHosts } from '../support/netns-hosts.js';

const pool = poolFromEnv();
const host = pool.hosts[0]!;
const secret = process.env.VE_TEST_SECRET as string;
assert.ok(secret, 'VE_TEST_SECRET is set by the root side');

const local = join(mkdtempSync(join(pool.daemonHome, 'claude-')), 'project');
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: local, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
execFileSync('git', ['init', '-q', '-b', 'main', local]);
git('config', 'user.name', 've daemon');
git('config', 'user.email', 'daemon@ve-test.invalid');
writeFileSync(join(local, 'README.md'), '# project\n');
git('add', '.');
git('commit', '-qm', 'init');

const transport = new SshTransport({ controlDir: controlDirFor(join(local, '.ve')) });
const h1: SshHost = { name: host.name, target: parseSshTarget(host.name) };
const workspace = new SshWorkspace({
  transport,
  host: h1,
  localRoot: local,
  projectId: 'claude-e2e',
  workdir: 've-work',
  claudePath: host.claudePath as string,
});
const lease: Lease = { epoch: 1, token: 'c1a0de01' };
const onHost = (...argv: string[]) => transport.runOk(h1, argv).then((s) => s.trim());

let wt: HostWorktree;
let server: ScriptedModelServer | null = null;
let relay: { url: string; close(): Promise<void> } | null = null;
/** every byte the host sent the model server */
let sentToModel = '';

before(async () => {
  await workspace.ensureMirror('main');
  wt = await workspace.ensureWorktree('alpha', { baseBranch: 'main', lease, startPoint: 'main' });
});
after(async () => {
  await relay?.close();
  await server?.close();
  await transport.disconnect(h1);
});

/** the model server for one run, reachable from the host */
async function serve(handler: ModelHandler): Promise<string> {
  await relay?.close();
  await server?.close();
  server = await startScriptedModelServer(handler);
  relay = await relayToHosts(pool.gateway, Number(new URL(server.url).port), (d) => {
    sentToModel += d.toString('latin1');
  });
  return relay.url;
}

interface Run {
  messages: { type: string }[];
  result: SDKResultMessage | null;
  asked: { tool: string; input: Record<string, unknown> }[];
  stderr: string;
  thrown: unknown;
}

async function runOnHost(
  handler: ModelHandler,
  opts: {
    prompt: string;
    resume?: string;
    lease?: Lease;
    abort?: AbortController;
    extra?: Partial<Options>;
  } & {
    onAsk?: (tool: string) => void | Promise<void>;
  },
): Promise<Run> {
  const url = await serve(handler);
  const run: Run = { messages: [], result: null, asked: [], stderr: '', thrown: null };
  const canUseTool: CanUseTool = async (tool, input) => {
    run.asked.push({ tool, input });
    await opts.onAsk?.(tool);
    return { behavior: 'allow', updatedInput: input };
  };
  const launcher = await workspace.claudeLauncher({
    chunk: 'alpha',
    lease: opts.lease ?? lease,
    onStderr: (t) => (run.stderr += t),
  });
  try {
    for await (const m of query({
      prompt: opts.prompt,
      options: {
        cwd: wt.path,
        spawnClaudeCodeProcess: launcher.spawn!,
        env: {
          ...process.env,
          ANTHROPIC_BASE_URL: url,
          ANTHROPIC_API_KEY: secret,
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          CLAUDE_CODE_MAX_RETRIES: '0',
        },
        canUseTool,
        permissionMode: 'default',
        settingSources: ['project'],
        maxTurns: 6,
        ...(opts.resume ? { resume: opts.resume } : {}),
        ...(opts.abort ? { abortController: opts.abort } : {}),
        ...opts.extra,
      },
    })) {
      run.messages.push(m);
      if (m.type === 'result') run.result = m;
    }
  } catch (err) {
    run.thrown = err;
  }
  // the SDK does not wait for the process after an abort; a runner does, and so does this test
  await launcher.settled();
  return run;
}

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

const hostProcesses = async () =>
  (await onHost('ps', '-u', host.user, '-o', 'comm='))
    .split('\n')
    .filter((c) => c && c !== 'sshd' && c !== 'ps');

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
    assert.ok(sentToModel.includes(secret), 'the API key reached the model server');
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
    // wait until the tool runs on the host
    for (let i = 0; !(await hostProcesses()).includes('tail'); i++) {
      assert.ok(
        i < 200 && !ended,
        `the Bash tool did not start on the host: ${JSON.stringify(ended, null, 1).slice(-2000)}`,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
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
    assert.equal(server?.messageRequests().length, 0);
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
