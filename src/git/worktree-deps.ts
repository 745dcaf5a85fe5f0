/**
 * A checkout's dependencies (issue 11 §4): the effective setup command (configured, or detected from
 * its lockfiles), running it with the package caches of `.ve/cache`, node_modules shared through
 * node-modules-share.ts, and the stamp that keeps a finished setup from running twice. The
 * `WorktreeDependencies` class is the runner's port: setups run in the background, one per unit.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import { packageCacheEnv } from '../domain/package-caches.js';
import {
  decideSetup,
  detectSetupSteps,
  type EffectiveSetup,
  type ProjectFiles,
  type SetupConfig,
  type SetupStep,
} from '../domain/setup-detection.js';
import type { DependencyConfig, DependencySetup, SetupResult } from '../ports/dependencies.js';
import type { Logger } from '../ports/logger.js';
import { git } from './git-cli.js';
import { installSharedNodeModules, unshareableReason } from './node-modules-share.js';
import { runShellCommand } from './setup-command.js';
import { confineSetups } from './setup-sandbox.js';
import {
  killOrphanedSetup,
  readSetupState,
  setupInputs,
  worktreeIdentity,
  writeSetupState,
} from './setup-state.js';

/** The setup `checkout` gets with `config`, and where it comes from (what `ve orch status` shows). */
export async function effectiveSetupCommand(config: SetupConfig, checkout: string): Promise<EffectiveSetup> {
  if (config.setup_command !== null) return decideSetup(config, []);
  const steps = detectSetupSteps(await readProjectFiles(checkout));
  return decideSetup(config, steps, await unignoredInstallDirs(checkout, steps));
}

/** The names and facts detection reads from the top level of `checkout`. */
export async function readProjectFiles(checkout: string): Promise<ProjectFiles> {
  const names = await readdir(checkout);
  let packageManager: string | null = null;
  if (names.includes('package.json')) {
    try {
      const field = JSON.parse(await readFile(join(checkout, 'package.json'), 'utf8')).packageManager;
      if (typeof field === 'string') packageManager = field;
    } catch (e) {
      // a broken package.json is the setup command's to report; detection goes by lockfiles alone
      if (!(e instanceof SyntaxError)) throw e;
    }
  }
  const yarnLock = names.includes('yarn.lock')
    ? (await readFile(join(checkout, 'yarn.lock'), 'utf8')).slice(0, 512)
    : '';
  return { names, packageManager, yarnClassicLock: /yarn lockfile v1/.test(yarnLock) };
}

/** Install folders of `steps` that git would commit in `checkout` (not ignored). */
async function unignoredInstallDirs(checkout: string, steps: readonly SetupStep[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const dir of new Set(steps.map((s) => s.installs))) {
    if (dir === null) continue;
    // a path inside the folder: `node_modules/` patterns match only directories
    const r = await git(['check-ignore', '-q', '--', `${dir}/ve-probe`], { cwd: checkout });
    // 1: not ignored; 128: not a git checkout, where ve commits nothing
    if (r.code === 1) out.add(dir);
  }
  return out;
}

export interface PrepareOptions {
  config: DependencyConfig;
  paths: Pick<ProjectPaths, 'cacheDir' | 'depsDir'>;
  log: Logger;
  /** the setup's stamp; null runs the setup every time */
  stateFile: string | null;
  signal?: AbortSignal;
}

/**
 * Makes the dependencies of `checkout` ready: runs its effective setup unless the stamp says it
 * already succeeded for this checkout and these lockfiles. Throws (with the output's tail) on failure.
 * Returns the setup in effect and whether it ran.
 */
export async function prepareDependencies(
  checkout: string,
  opts: PrepareOptions,
): Promise<{ setup: EffectiveSetup; ran: boolean }> {
  const { config, log, stateFile } = opts;
  const setup = await effectiveSetupCommand(config, checkout);
  if (setup.command === null) return { setup, ran: false };
  const worktree_id = await worktreeIdentity(checkout);
  const inputs = await setupInputs(checkout, `${setup.command}\0${config.node_modules_sharing}`);
  const previous = stateFile ? readSetupState(stateFile, log) : null;
  if (
    previous?.state === 'done' &&
    previous.inputs === inputs &&
    previous.worktree_id === worktree_id &&
    (await installsPresent(checkout, setup.steps))
  )
    return { setup, ran: false };
  if (previous?.state === 'running') killOrphanedSetup(previous, log);
  const started = Date.now();
  const record = (command: string, pid: number | null) => {
    if (stateFile) {
      const at = new Date(started).toISOString();
      writeSetupState(stateFile, { state: 'running', command, worktree_id, pid, started_at: at });
    }
  };
  record(setup.command, null);
  const { cacheDir } = opts.paths;
  const confined = await confineSetups(config.agent_sandbox, log);
  const tmp = join(cacheDir, 'tmp');
  await mkdir(tmp, { recursive: true });
  const env = packageCacheEnv(cacheDir);
  const run: RunCommand = (command, cwd, writable) => {
    const sandboxed = confined && writable !== null;
    return runShellCommand(command, cwd, {
      // /tmp is read-only in the sandbox: temporary files go to the cache
      env: sandboxed ? { ...env, TMPDIR: tmp } : env,
      onSpawn: (pid) => record(command, pid),
      ...(sandboxed ? { sandbox: { writable: [...writable, cacheDir] } } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  };
  log.info('dependency setup started', { checkout, command: setup.command, source: setup.source, confined });
  try {
    if (setup.source === 'configured') await run(setup.command, checkout, [checkout]);
    for (const step of setup.steps) await runStep(step, checkout, run, opts);
  } catch (e) {
    if (stateFile) await rm(stateFile, { force: true });
    throw e;
  }
  if (stateFile) {
    const finished_at = new Date().toISOString();
    writeSetupState(stateFile, { state: 'done', command: setup.command, worktree_id, inputs, finished_at });
  }
  log.info('dependency setup finished', { checkout, command: setup.command, took_ms: Date.now() - started });
  return { setup, ran: true };
}

/** Runs a command of the setup; `writable`: the folders project code may write, null for ve's own tools. */
type RunCommand = (command: string, cwd: string, writable: readonly string[] | null) => Promise<void>;

async function runStep(
  step: SetupStep,
  checkout: string,
  run: RunCommand,
  opts: PrepareOptions,
): Promise<void> {
  const sharing = opts.config.node_modules_sharing;
  if (step.tool === 'npm' && sharing !== 'off') {
    const why = await unshareableReason(checkout);
    if (why === null) {
      const deps = { depsDir: opts.paths.depsDir, log: opts.log, run };
      const method = await installSharedNodeModules(checkout, sharing, deps);
      opts.log.info('node_modules from the shared template', { checkout, method });
      return;
    }
    opts.log.info('node_modules not shared; running npm ci', { checkout, reason: why });
  }
  await run(step.command, checkout, [checkout]);
}

async function installsPresent(checkout: string, steps: readonly SetupStep[]): Promise<boolean> {
  for (const s of steps) {
    if (s.installs !== null && !(await stat(join(checkout, s.installs)).catch(() => null))) return false;
  }
  return true;
}

interface SetupRun {
  controller: AbortController;
  promise: Promise<SetupResult>;
  /** the worktree incarnation it ran in (known once it started), to drop a failure of an older one */
  worktreeId: string | null;
  /** set when it has finished */
  result: SetupResult | null;
}

/** The DependencySetup port: at most one setup per unit at a time, in the background. */
export class WorktreeDependencies implements DependencySetup {
  private readonly runs = new Map<string, SetupRun>();

  constructor(
    private readonly paths: ProjectPaths,
    private readonly log: Logger,
  ) {}

  start(chunk: string, worktree: string, config: DependencyConfig): void {
    if (!this.runs.has(chunk)) this.launch(chunk, worktree, config);
  }

  async ready(
    chunk: string,
    worktree: string,
    config: DependencyConfig,
    signal: AbortSignal,
  ): Promise<SetupResult> {
    let run = this.runs.get(chunk);
    // a failure from a worktree that has been removed and created again since is not this one's
    if (run?.result?.kind === 'failed' && run.worktreeId !== (await worktreeIdentity(worktree))) {
      this.forget(chunk, run);
      run = undefined;
    }
    run ??= this.launch(chunk, worktree, config);
    const result = await untilAborted(run.promise, signal);
    if (result.kind === 'failed') this.forget(chunk, run); // reported once; the next call runs it again
    return result;
  }

  /** Stops every running setup (daemon shutdown): their stamps are removed, so they run again. */
  async stop(): Promise<void> {
    const running = [...this.runs.values()];
    for (const r of running) r.controller.abort();
    await Promise.all(running.map((r) => r.promise));
  }

  private launch(chunk: string, worktree: string, config: DependencyConfig): SetupRun {
    const log = this.log.child({ chunk });
    const run: SetupRun = {
      controller: new AbortController(),
      promise: Promise.resolve({ kind: 'ready' }),
      worktreeId: null,
      result: null,
    };
    const work = async (): Promise<SetupResult> => {
      try {
        run.worktreeId = await worktreeIdentity(worktree);
        await prepareDependencies(worktree, {
          config,
          paths: this.paths,
          log,
          stateFile: this.paths.setupState(chunk),
          signal: run.controller.signal,
        });
        this.forget(chunk, run);
        return { kind: 'ready' };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log.warn('dependency setup failed', { worktree, error: message });
        return { kind: 'failed', message };
      }
    };
    run.promise = work().then((result) => {
      run.result = result;
      return result;
    });
    this.runs.set(chunk, run);
    return run;
  }

  private forget(chunk: string, run: SetupRun): void {
    if (this.runs.get(chunk) === run) this.runs.delete(chunk);
  }
}

/** `work`, or `aborted` as soon as `signal` fires (the work itself goes on). */
async function untilAborted(work: Promise<SetupResult>, signal: AbortSignal): Promise<SetupResult> {
  if (signal.aborted) return { kind: 'aborted' };
  let onAbort = () => {};
  const aborted = new Promise<SetupResult>((resolve) => {
    onAbort = () => resolve({ kind: 'aborted' });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
