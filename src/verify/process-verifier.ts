/**
 * The Verifier port on real processes: prepares the slot's checkout at the tree to verify, runs the
 * dependency setup when the lockfiles changed, then the verify command, under the OS sandbox where it
 * can run, with the same environment agents get.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../ports/logger.js';
import type { Verifier, VerifyCheckouts, VerifyRequest, VerifyResult } from '../ports/train.js';
import { bwrapArgs, bwrapUnavailable } from '../process/bubblewrap.js';
import { killMarked, killRecordedGroup, RUN_MARKER_VAR } from '../process/process-identity.js';
import { type CommandResult, lastLines, runCommand } from '../process/run-command.js';

export interface ProcessVerifierDeps {
  checkouts: VerifyCheckouts;
  log: Logger;
  /** the environment for setup and verify commands (the agents' environment) */
  env(): NodeJS.ProcessEnv;
  /** writable inside the sandbox besides the checkout (package caches) */
  writable: readonly string[];
  /** null when bubblewrap can run here, else why not; default: probed once */
  sandboxUnavailable?: () => Promise<string | null>;
  /** makes the checkout's dependencies ready (its setup, with the agents' caches); throws on failure */
  prepare?: (checkout: string, signal: AbortSignal) => Promise<void>;
  /** output beyond this many bytes stops the command (default: run-command's FLOOD_BYTES) */
  floodBytes?: number;
}

export class ProcessVerifier implements Verifier {
  constructor(private readonly deps: ProcessVerifierDeps) {}

  killOrphan(run: { marker: string; pid: number | null; startTime: string | null }): number {
    const group = run.pid !== null && killRecordedGroup(run.pid, run.startTime) ? 1 : 0;
    return group + killMarked(run.marker);
  }

  async run(req: VerifyRequest): Promise<VerifyResult> {
    const started = Date.now();
    const fail = (outcome: VerifyResult['outcome'], message: string, tail = ''): VerifyResult => ({
      outcome,
      exitCode: null,
      durationMs: Date.now() - started,
      tail,
      message,
      sandboxed: false,
    });
    let checkout: { path: string; readable: string[] };
    try {
      checkout = await this.deps.checkouts.prepare(req.slot, req.commit);
    } catch (e) {
      return fail('error', `could not prepare the verify checkout: ${(e as Error).message}`);
    }
    if (req.signal.aborted) return fail('cancelled', 'cancelled before it started');
    const setup = await this.setUp(checkout.path, req);
    if (setup) return setup;
    const missing = req.sandbox === 'off' ? 'off' : await this.sandboxUnavailable();
    if (req.sandbox === 'on' && missing !== null) {
      return fail('error', `agent_sandbox is 'on' but the OS sandbox cannot run here: ${missing}`);
    }
    const sandboxed = missing === null;
    for (const dir of this.deps.writable) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const layout = {
      cwd: checkout.path,
      writable: this.deps.writable,
      readable: checkout.readable,
      isolated: true,
    };
    const r = await runCommand({
      ...(sandboxed
        ? { file: 'bwrap', args: bwrapArgs(layout, req.command) }
        : { file: '/bin/sh', args: ['-c', req.command] }),
      cwd: checkout.path,
      env: { ...this.deps.env(), [RUN_MARKER_VAR]: req.marker },
      timeoutMs: req.timeoutMs,
      logFile: req.logFile,
      onOutput: req.onOutput,
      onStarted: (pid, start) => req.onStarted(pid, start, sandboxed),
      signal: req.signal,
      ...(this.deps.floodBytes !== undefined ? { floodBytes: this.deps.floodBytes } : {}),
    });
    const lost = !existsSync(join(checkout.path, '.git'));
    return { ...judge(r, req, lost), durationMs: Date.now() - started, sandboxed };
  }

  /** The checkout's dependencies, as an agent's worktree gets them (docs/dependencies.md). */
  private async setUp(path: string, req: VerifyRequest): Promise<VerifyResult | null> {
    if (!this.deps.prepare) return null;
    const started = Date.now();
    try {
      await this.deps.prepare(path, req.signal);
      return null;
    } catch (e) {
      const message = (e as Error).message;
      return {
        outcome: req.signal.aborted ? 'cancelled' : 'failed',
        exitCode: null,
        durationMs: Date.now() - started,
        tail: lastLines(message),
        message: `the dependency setup failed in the verify checkout: ${message.split('\n')[0]}`,
        sandboxed: false,
      };
    }
  }

  private sandboxUnavailable(): Promise<string | null> {
    return this.deps.sandboxUnavailable ? this.deps.sandboxUnavailable() : bwrapUnavailable();
  }
}

function judge(
  r: CommandResult,
  req: VerifyRequest,
  checkoutLost: boolean,
): Omit<VerifyResult, 'durationMs' | 'sandboxed'> {
  const tail = lastLines(r.tail);
  const seconds = Math.round(req.timeoutMs / 1000);
  if (r.cancelled) return { outcome: 'cancelled', exitCode: null, tail, message: 'cancelled' };
  if (r.spawnError)
    return { outcome: 'error', exitCode: null, tail, message: `could not start: ${r.spawnError}` };
  if (r.timedOut) {
    return {
      outcome: 'timeout',
      exitCode: null,
      tail,
      message: `timed out after ${seconds} s; its processes were killed`,
    };
  }
  if (r.flooded) {
    const mib = Math.round(r.bytes / (1024 * 1024));
    return {
      outcome: 'failed',
      exitCode: null,
      tail,
      message: `printed ${mib} MiB of output; it was stopped`,
    };
  }
  if (checkoutLost) {
    return {
      outcome: 'failed',
      exitCode: r.exitCode,
      tail,
      message: 'the verify command deleted its own checkout',
    };
  }
  if (r.exitCode === 0) return { outcome: 'passed', exitCode: 0, tail, message: null };
  return {
    outcome: 'failed',
    exitCode: r.exitCode,
    tail,
    message: r.exitCode === null ? describeExit(r) : null,
  };
}

function describeExit(r: CommandResult): string {
  if (r.timedOut) return 'timed out';
  if (r.spawnError) return `could not start (${r.spawnError})`;
  return r.exitCode === null ? `was killed by ${r.signal}` : `exited ${r.exitCode}`;
}
