/**
 * An in-process orchestrator whose units run on hosts: the real composition root, store, scheduler,
 * runner, git worktrees, merges and host pool, with hosts made by the ssh stand-in
 * (fake-ssh-hosts.ts) and the scripted FakeAgentBackend acting in the host's worktree. `local` is
 * drained, so every unit goes to a host. The real OpenSSH and Claude Code: test/hosts/*.e2e.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiServices } from '../../src/daemon/api-services.js';
import { compose } from '../../src/daemon/compose.js';
import { silentLogger } from '../../src/infra/json-logger.js';
import type { PhaseRequest } from '../../src/ports/agent-backend.js';
import type { ChangeEvent } from '../../src/ports/events.js';
import { FakeAgentBackend, type FakeStep } from '../fakes/fake-agent-backend.js';
import { type FakeSshHosts, fakeSshHosts } from './fake-ssh-hosts.js';
import { makeTestRepo } from './git-repo.js';
import { unitWaiter, writeChunk } from './orchestrator-harness.js';

/** git as an agent on the host would run it (the host has no identity of its own) */
export function agentGit(req: PhaseRequest, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=agent', '-c', 'user.email=agent@ve-test.invalid', '-C', req.worktree, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** an agent step: writes files in the host's worktree (and commits them, unless `commit` is false) */
export function writes(files: Record<string, string>, commit = true): FakeStep {
  return {
    act: (req) => {
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(join(req.worktree, rel, '..'), { recursive: true });
        writeFileSync(join(req.worktree, rel), text);
      }
      if (commit) {
        agentGit(req, 'add', '-A');
        agentGit(req, 'commit', '-q', '-m', `work in ${req.phase}`);
      }
    },
  };
}

/** REVIEW approves, COMPLETE marks GOAL.md ACTIVE and commits: the unit then lands */
export function finishes(backend: FakeAgentBackend, chunk: string): void {
  backend.script(chunk, 'REVIEW', [{ review: { decision: 'APPROVE', summary: 'ok', issues: [] } }]);
  completes(backend, chunk);
}

/** COMPLETE marks GOAL.md ACTIVE and commits */
export function completes(backend: FakeAgentBackend, chunk: string): void {
  backend.script(chunk, 'COMPLETE', [
    {
      act: (req) => {
        const goal = join(req.worktree, 'docs', 'chunks', chunk, 'GOAL.md');
        const text = execFileSync('cat', [goal], { encoding: 'utf8' });
        writeFileSync(goal, text.replace(/status: \w+/, 'status: ACTIVE'));
        agentGit(req, 'commit', '-qam', `complete: ${chunk}`);
      },
    },
  ]);
}

export async function makeRemoteOrchestrator(opts: { chunks: string[]; hosts: string[]; slots?: number }) {
  const repo = makeTestRepo({ initialFiles: { 'README.md': '# project\n' } });
  for (const c of opts.chunks) writeChunk(repo.root, c, { status: 'FUTURE' });
  repo.git(['add', '-A']);
  repo.git(['commit', '-qm', 'chunks']);
  const fake: FakeSshHosts = fakeSshHosts();
  const backend = new FakeAgentBackend();
  const parts = await compose({
    root: repo.root,
    log: silentLogger,
    backend,
    dbPath: ':memory:',
    baseBranch: 'main',
    ssh: fake.binary,
    hostMonitor: { healthyEveryMs: 500, downEveryMs: 100 },
  });
  // the scripted agent runs no shell: the OS sandbox is not what these tests are about
  await parts.store.patchConfig({ max_agents: 4, agent_sandbox: 'off' });
  await parts.hostStore.setState('local', 'draining');
  for (const name of opts.hosts) {
    const claude = join(fake.home(name), 'bin', 'claude');
    mkdirSync(join(fake.home(name), 'bin'), { recursive: true });
    writeFileSync(claude, '#!/bin/sh\necho "2.1.0 (Claude Code)"\n', { mode: 0o755 });
    await parts.hosts.add({ name, ssh: `ve@${name}`, slots: opts.slots ?? 2, workdir: 'w', claude });
  }
  return {
    repo,
    fake,
    backend,
    parts,
    services: createApiServices(parts),
    // a unit's three phases make about 40 ssh calls, each a few forks: 5 s on a quiet machine took
    // 18-44 s beside the rest of the suite on 2 cores, so only a unit that is truly stuck times out
    waitForUnit: unitWaiter(parts, 120_000),
    /** resolves at the first event `predicate` accepts (the guard timer also keeps the process alive) */
    untilEvent: (predicate: (e: ChangeEvent) => boolean, what: string, ms = 120_000): Promise<void> =>
      new Promise((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`no event: ${what}`)), ms);
        const stop = parts.bus.subscribe((e) => {
          if (!predicate(e)) return;
          stop();
          clearTimeout(guard);
          resolve();
        });
      }),
    start: async () => {
      parts.hostMonitor.start();
      await parts.scheduler.start();
      await parts.train.start();
    },
    stop: async () => {
      await parts.scheduler.stop();
      await parts.train.stop();
      await parts.hostMonitor.stop();
      await parts.connections.close();
    },
    /** after `stop`: removes the store, the hosts and the repository */
    cleanup: () => {
      parts.store.close();
      fake.cleanup();
      repo.cleanup();
    },
  };
}
