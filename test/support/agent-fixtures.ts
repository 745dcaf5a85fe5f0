/**
 * Fixtures for agent-backend tests: a real host repository with a unit worktree inside it at
 * `.ve/chunks/<chunk>/worktree` (as the orchestrator lays it out), the fake CLI's path, and a
 * PhaseRequest builder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClaudeAgentBackend } from '../../src/agents/claude/backend.js';
import { claudeBinaryPath, envForScriptedModel } from '../../src/demo/scripted-model-server.js';
import { silentLogger } from '../../src/infra/json-logger.js';
import type { PhaseRequest } from '../../src/ports/agent-backend.js';

/** The repository root (works from test/ and from dist/test/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export const fakeClaudePath = (): string => join(repoRoot(), 'test', 'fixtures', 'fake-claude.mjs');

export interface UnitRepo {
  /** the temp dir holding everything; removed by cleanup */
  root: string;
  host: string;
  worktree: string;
  chunk: string;
  cleanup(): void;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** A host repo with one commit on `main` and a worktree for `chunk` on branch `orch/<chunk>`. */
export function makeUnitRepo(chunk = 'feat'): UnitRepo {
  const root = mkdtempSync(join(tmpdir(), 've-agents-'));
  const host = join(root, 'host');
  const worktree = join(host, '.ve', 'chunks', chunk, 'worktree');
  try {
    mkdirSync(join(host, 'docs', 'chunks', chunk), { recursive: true });
    git(host, 'init', '-q', '-b', 'main');
    git(host, 'config', 'user.email', 'test@example.com');
    git(host, 'config', 'user.name', 'Test');
    writeFileSync(join(host, '.gitignore'), '.ve/\n');
    writeFileSync(join(host, 'docs', 'chunks', chunk, 'GOAL.md'), '---\nstatus: IMPLEMENTING\n---\n# Goal\n');
    git(host, 'add', '-A');
    git(host, 'commit', '-q', '-m', 'init');
    git(host, 'worktree', 'add', '-q', '-b', `orch/${chunk}`, worktree);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return { root, host, worktree, chunk, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function gitIn(cwd: string, ...args: string[]): string {
  return git(cwd, ...args);
}

export function aPhaseRequest(repo: UnitRepo, overrides: Partial<PhaseRequest> = {}): PhaseRequest {
  return {
    chunk: repo.chunk,
    phase: 'IMPLEMENT',
    worktree: repo.worktree,
    hostRoot: repo.host,
    baseBranch: 'main',
    resumeSessionId: null,
    operatorAnswer: null,
    systemNote: null,
    reentryContext: null,
    reviewFeedback: null,
    maxTurns: 20,
    maxBudgetUsd: null,
    model: null,
    osSandbox: 'off',
    ...overrides,
  };
}

/** The real Claude Code binary behind the backend, its model the scripted server at `serverUrl`. */
export function realClaudeBackend(repo: UnitRepo, serverUrl: string): ClaudeAgentBackend {
  const home = join(repo.root, 'home');
  mkdirSync(home, { recursive: true });
  return new ClaudeAgentBackend({
    pathToClaudeCodeExecutable: claudeBinaryPath(),
    // no internal retries: a scripted 5xx should end the run at once
    env: { ...envForScriptedModel(serverUrl, home), CLAUDE_CODE_MAX_RETRIES: '0' },
    log: silentLogger,
  });
}
