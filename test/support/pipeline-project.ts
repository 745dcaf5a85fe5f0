/**
 * A temporary project whose chunks the real daemon runs through the whole pipeline with scripted fake
 * agents (test/fixtures/pipeline-agent.mjs behind fake-claude.mjs), plus the daemon's life cycle as
 * reliability tests need it: start through the real CLI, SIGKILL by the pid file, stop.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../../src/cli/daemon-process.js';
import { fakeClaudePath, repoRoot } from './agent-fixtures.js';
import { runVe, type VeResult } from './cli.js';
import { socketApi } from './socket-api.js';
import { makeTempRepo, type TempRepo } from './temp-repo.js';

export interface ChunkPlan {
  name: string;
  depends_on: string[];
  /** PLAN.md already has its Approach, so the unit starts at IMPLEMENT */
  planned?: boolean;
}

export interface PipelineOptions {
  chunks: readonly ChunkPlan[];
  /** PIPELINE_AGENT_SEED */
  seed?: number;
  /** PIPELINE_AGENT_MAX_SLEEP_MS */
  maxSleepMs?: number;
  /** extra environment for the daemon (and so for its agents) */
  env?: NodeJS.ProcessEnv;
  prefix?: string;
}

export interface PipelineProject {
  repo: TempRepo;
  root: string;
  /** a scratch directory outside the repository (control file, hook markers) */
  fixtures: string;
  env: NodeJS.ProcessEnv;
  api: ReturnType<typeof socketApi>;
  /** runs `ve <args> --project-dir <root>` */
  ve(...args: string[]): Promise<VeResult>;
  /** the same, failing the test unless it exits 0; returns stdout */
  mustVe(...args: string[]): Promise<string>;
  /** `ve orch start`; returns the daemon's pid */
  start(): Promise<number>;
  /** SIGKILLs the daemon named by the pid file and waits until it is gone; returns its pid */
  kill9(): Promise<number>;
  /** the pid in .ve/orchestrator.pid when that process is alive */
  daemonPid(): number | null;
  /** rewrites PIPELINE_AGENT_CONTROL (read by every agent at its start) */
  setControl(control: Record<string, unknown>): void;
  cleanup(): Promise<void>;
}

export const pipelineAgentPath = (): string => join(repoRoot(), 'test', 'fixtures', 'pipeline-agent.mjs');

export function makePipelineProject(opts: PipelineOptions): PipelineProject {
  const repo = makeTempRepo({ prefix: opts.prefix ?? 've-pipeline-' });
  const fixtures = mkdtempSync(join(tmpdir(), 've-pipeline-fx-'));
  const control = join(fixtures, 'control.json');
  writeFileSync(control, '{}\n');
  for (const c of opts.chunks) {
    repo.writeChunk(c.name, {
      depends_on: c.depends_on,
      goal: `Produce src/${c.name}.txt.`,
      approach: c.planned ? `Write src/${c.name}.txt.` : '',
    });
  }
  // agents may leave `*.marker` files for a test to see (the sandbox keeps them inside the worktree)
  repo.writeFile('.gitignore', '.ve/\n*.marker\n');
  repo.commitAll('chunks');
  const env: NodeJS.ProcessEnv = {
    VE_CLAUDE_PATH: fakeClaudePath(),
    FAKE_CLAUDE_SCRIPT: pipelineAgentPath(),
    PIPELINE_AGENT_CONTROL: control,
    PIPELINE_AGENT_SEED: String(opts.seed ?? 0),
    PIPELINE_AGENT_MAX_SLEEP_MS: String(opts.maxSleepMs ?? 0),
    ...opts.env,
  };
  const root = repo.root;
  const ve = (...args: string[]) =>
    runVe([...args, '--project-dir', root], { cwd: root, env, timeoutMs: 60_000 });
  const mustVe = async (...args: string[]) => {
    const r = await ve(...args);
    assert.equal(r.code, 0, `ve ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const daemonPid = () => {
    const file = join(root, '.ve', 'orchestrator.pid');
    if (!existsSync(file)) return null;
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 && isProcessAlive(pid) ? pid : null;
  };
  return {
    repo,
    root,
    fixtures,
    env,
    api: socketApi(root),
    ve,
    mustVe,
    async start() {
      await mustVe('orch', 'start');
      const pid = daemonPid();
      assert.ok(pid, 'the daemon wrote its pid file');
      return pid;
    },
    async kill9() {
      const pid = daemonPid();
      assert.ok(pid, 'a daemon is running to be killed');
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && isProcessAlive(pid); i++) await sleep(25);
      assert.ok(!isProcessAlive(pid), `daemon ${pid} died after SIGKILL`);
      return pid;
    },
    daemonPid,
    setControl(c) {
      writeFileSync(control, `${JSON.stringify(c, null, 2)}\n`);
    },
    async cleanup() {
      if (daemonPid() !== null) await ve('orch', 'stop');
      repo.cleanup();
      rmSync(fixtures, { recursive: true, force: true });
    },
  };
}

/**
 * Fake agents (fake-claude.mjs) still running with their cwd inside `root`: after a SIGKILL of the
 * daemon they must end on their own (stdin EOF), so none may outlive a run. Waits up to `graceMs`.
 */
export async function strayAgents(root: string, graceMs = 5000): Promise<number[]> {
  const until = Date.now() + graceMs;
  for (;;) {
    const found = agentsUnder(root);
    if (found.length === 0 || Date.now() > until) return found;
    await sleep(100);
  }
}

function agentsUnder(root: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes('fake-claude.mjs')) continue;
      if (readlinkSync(`/proc/${d}/cwd`).startsWith(root) && isProcessAlive(Number(d))) out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Polls until `path` exists (a marker a hook or an agent step writes); fails after `timeoutMs`. */
export async function waitForFile(path: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${path}`);
    await sleep(50);
  }
}
