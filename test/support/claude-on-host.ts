/**
 * Daemon-side fixture for the Claude-over-ssh tests (run as the daemon user): an operator repository,
 * an SshWorkspace on the pool's first host with a unit's worktree, the scripted model server behind
 * a relay the host can reach, and `runOnHost` — one real SDK `query()` through the SSH launcher.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CanUseTool, type Options, query, type SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import {
  type ModelHandler,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/demo/scripted-model-server.js';
import type { Lease } from '../../src/domain/lease.js';
import { parseSshTarget } from '../../src/hosts/ssh-command.js';
import { controlDirFor, type SshHost, SshTransport } from '../../src/hosts/ssh-transport.js';
import { SshWorkspace } from '../../src/hosts/ssh-workspace.js';
import type { HostWorktree } from '../../src/ports/hosts.js';
import { poolFromEnv, relayToHosts } from './netns-hosts.js';

export interface Run {
  messages: { type: string }[];
  result: SDKResultMessage | null;
  asked: { tool: string; input: Record<string, unknown> }[];
  stderr: string;
  thrown: unknown;
}

export interface RunOptions {
  prompt: string;
  resume?: string;
  lease?: Lease;
  abort?: AbortController;
  extra?: Partial<Options>;
  onAsk?: (tool: string) => void | Promise<void>;
}

export async function claudeOnHostFixture(projectId: string) {
  const pool = poolFromEnv();
  const host = pool.hosts[0]!;
  const secret = process.env.VE_TEST_SECRET ?? 'sk-ant-ve-test-fixture';
  const local = join(mkdtempSync(join(pool.daemonHome, `${projectId}-`)), 'project');
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
    projectId,
    workdir: 've-work',
    claudePath: host.claudePath as string,
  });
  const lease: Lease = { epoch: 1, token: 'c1a0de01' };
  const onHost = (...argv: string[]) => transport.runOk(h1, argv).then((s) => s.trim());
  await workspace.ensureMirror('main');
  const wt: HostWorktree = await workspace.ensureWorktree('alpha', {
    baseBranch: 'main',
    lease,
    startPoint: 'main',
  });

  let server: ScriptedModelServer | null = null;
  let relay: { url: string; close(): Promise<void> } | null = null;
  const state = { sentToModel: '', server: null as ScriptedModelServer | null };

  /** the model server for one run, reachable from the host */
  async function serve(handler: ModelHandler): Promise<string> {
    await relay?.close();
    await server?.close();
    server = await startScriptedModelServer(handler);
    state.server = server;
    relay = await relayToHosts(pool.gateway, Number(new URL(server.url).port), (d) => {
      state.sentToModel += d.toString('latin1');
    });
    return relay.url;
  }

  /** one SDK query() on the host; never throws: what the SDK threw is in `thrown` */
  async function runOnHost(handler: ModelHandler, opts: RunOptions): Promise<Run> {
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

  /**
   * the host user's processes by name, but its sshd sessions, the ps asking and zombies (a killed
   * orphan waits for init to reap it; it runs nothing)
   */
  const hostProcesses = async () =>
    (await onHost('ps', '-u', host.user, '-o', 'stat=,comm='))
      .split('\n')
      .map((l) => l.trim().split(/\s+/) as [string, string])
      .filter(([stat, comm]) => comm && !stat.startsWith('Z') && comm !== 'sshd' && comm !== 'ps')
      .map(([, comm]) => comm);

  /** waits for the host to run a process named `name` (or for `ended` to say the run is over) */
  async function untilHostRuns(name: string, ended: () => unknown): Promise<void> {
    for (let i = 0; !(await hostProcesses()).includes(name); i++) {
      assert.ok(
        i < 200 && !ended(),
        `${name} did not start on the host: ${JSON.stringify(ended(), null, 1)?.slice(-2000)}`,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    pool,
    host,
    secret,
    git,
    transport,
    h1,
    workspace,
    lease,
    wt,
    state,
    onHost,
    runOnHost,
    hostProcesses,
    untilHostRuns,
    close: async () => {
      await relay?.close();
      await server?.close();
      await transport.disconnect(h1);
    },
  };
}
