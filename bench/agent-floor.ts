/**
 * The full floor of DESIGN §13 for the instant scripted agent: per unit, bare git (worktree add,
 * merge, remove) plus the agent's own time — the fake Claude CLI spawned once per phase and driven
 * over stream-json directly, no SDK and no ve code. The orchestrator's time over this is its overhead.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { benchGit } from './git-floor.js';
import { FAKE_CLAUDE, INSTANT_AGENT } from './lib/daemon.js';

export const PHASES = ['PLAN', 'IMPLEMENT', 'REVIEW', 'COMPLETE'] as const;

/** One agent phase: spawn the fake CLI in `cwd`, send the prompt, answer its MCP calls, wait for exit. */
export function runAgentPhase(cwd: string, phase: string, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FAKE_CLAUDE], {
      cwd,
      env: { ...process.env, FAKE_CLAUDE_SCRIPT: INSTANT_AGENT },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const send = (o: unknown) => child.stdin.write(`${JSON.stringify(o)}\n`);
    let failed: string | null = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as {
        type: string;
        is_error?: boolean;
        result?: string;
        request_id?: string;
        request?: { subtype: string; message?: { id?: number } };
      };
      if (msg.type === 'control_request' && msg.request?.subtype === 'mcp_message') {
        const id = msg.request.message?.id;
        const mcp_response =
          id === undefined
            ? {}
            : {
                jsonrpc: '2.0',
                id,
                result: { content: [{ type: 'text', text: 'Review decision recorded.' }] },
              };
        send({
          type: 'control_response',
          response: { subtype: 'success', request_id: msg.request_id, response: { mcp_response } },
        });
      } else if (msg.type === 'result') {
        if (msg.is_error) failed = msg.result ?? 'error result';
        child.stdin.end(); // EOF: the CLI exits, as after a real session
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0 || failed)
        reject(new Error(`agent floor ${phase} ${chunk}: exit ${code} ${failed ?? ''}`));
      else resolve();
    });
    send({
      type: 'user',
      message: { role: 'user', content: `# ${phase} phase — chunk \`${chunk}\`\n\n(floor run)` },
    });
  });
}

export interface FullFloor {
  /** wall ms of the whole serial run */
  ms: number;
  /** of which git worktree add / merge / remove / branch delete */
  gitMs: number;
  /** of which the agent processes (their own git commits included) */
  agentMs: number;
}

/**
 * `chunks` units serially in `root` (a project whose docs/chunks/<c> are committed and whose GOAL.md
 * say IMPLEMENTING, as ve leaves them before the first phase): worktree, four agent phases, merge.
 */
export async function measureFullFloor(chunks: readonly string[], root: string): Promise<FullFloor> {
  const scratch = mkdtempSync(join(tmpdir(), 've-full-floor-'));
  let gitMs = 0;
  let agentMs = 0;
  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  try {
    const start = performance.now();
    for (const c of chunks) {
      const branch = `floor/${c}`;
      const wt = join(scratch, c);
      gitMs += await timed(() => benchGit(['worktree', 'add', '--quiet', '-b', branch, wt, 'HEAD'], root));
      for (const phase of PHASES) agentMs += await timed(() => runAgentPhase(wt, phase, c));
      gitMs += await timed(async () => {
        await benchGit(['merge', '--quiet', '--no-edit', branch], root);
        await benchGit(['worktree', 'remove', '--force', wt], root);
        await benchGit(['branch', '--quiet', '-d', branch], root);
      });
    }
    return { ms: performance.now() - start, gitMs, agentMs };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
