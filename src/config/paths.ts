/** Where everything lives under a project: the `.ve/` state layout shared by the daemon and the CLI. */
import { join } from 'node:path';

export interface ProjectPaths {
  root: string;
  stateDir: string;
  db: string;
  lock: string;
  pid: string;
  socket: string;
  port: string;
  token: string;
  log: string;
  chunksDocDir: string;
  /** package managers' caches, writable by sandboxed shell commands (domain/package-caches.ts) */
  cacheDir: string;
  /** node_modules built once per lockfile, which worktrees share (git/node-modules-share.ts) */
  depsDir: string;
  chunkStateDir(chunk: string): string;
  worktree(chunk: string): string;
  phaseLogDir(chunk: string): string;
  phaseLog(chunk: string, phase: string): string;
  /** the unit's REVIEW rounds: each round's feedback and the implementer's answer to it */
  reviewDir(chunk: string): string;
  /** the state of a unit's dependency setup: running (with its pid) or done (with its inputs) */
  setupState(chunk: string): string;
  /** checkouts the verify command runs in, one per slot of the landing train */
  verifyDir: string;
  /** the full output of one verification (a unit's, or a base check's when chunk is null) */
  verifyLog(chunk: string | null, runId: number): string;
}

export function projectPaths(root: string): ProjectPaths {
  const stateDir = join(root, '.ve');
  return {
    root,
    stateDir,
    db: join(stateDir, 'orchestrator.db'),
    lock: join(stateDir, 'orchestrator.lock'),
    pid: join(stateDir, 'orchestrator.pid'),
    socket: join(stateDir, 'orchestrator.sock'),
    port: join(stateDir, 'orchestrator.port'),
    token: join(stateDir, 'orchestrator.token'),
    log: join(stateDir, 'orchestrator.log'),
    chunksDocDir: join(root, 'docs', 'chunks'),
    cacheDir: join(stateDir, 'cache'),
    depsDir: join(stateDir, 'deps'),
    chunkStateDir: (chunk) => join(stateDir, 'chunks', chunk),
    worktree: (chunk) => join(stateDir, 'chunks', chunk, 'worktree'),
    phaseLogDir: (chunk) => join(stateDir, 'chunks', chunk, 'log'),
    phaseLog: (chunk, phase) => join(stateDir, 'chunks', chunk, 'log', `${phase.toLowerCase()}.jsonl`),
    reviewDir: (chunk) => join(stateDir, 'chunks', chunk, 'review'),
    setupState: (chunk) => join(stateDir, 'chunks', chunk, 'setup.json'),
    verifyDir: join(stateDir, 'verify'),
    verifyLog: (chunk, runId) =>
      chunk === null
        ? join(stateDir, 'verify', 'logs', `base-${runId}.log`)
        : join(stateDir, 'chunks', chunk, 'verify', `${runId}.log`),
  };
}

/** The branch a unit's worktree is on. */
export function unitBranch(chunk: string): string {
  return `orch/${chunk}`;
}
