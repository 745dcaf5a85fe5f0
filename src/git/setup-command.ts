/**
 * Runs a setup command (`npm ci`, `make deps`…) in a checkout through /bin/sh, optionally inside
 * bubblewrap, with a timeout and an abort signal that kill the whole process group, and reports the
 * tail of its output on failure.
 */
import { spawn } from 'node:child_process';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { bwrapArgs } from '../process/bubblewrap.js';
import { killGroup } from '../process/run-command.js';
import { scrubbedEnv, tail } from './git-cli.js';

export const SETUP_TIMEOUT_MS = 10 * 60 * 1000;
const KEEP_OUTPUT_CHARS = 64 * 1024;

export interface ShellCommandOptions {
  /** @default SETUP_TIMEOUT_MS */
  timeoutMs?: number;
  /** added to the scrubbed daemon environment (the package caches) */
  env?: Record<string, string>;
  /** called with the process group id once the shell runs (setup-state.ts records it) */
  onSpawn?: (pid: number) => void;
  /** aborting kills the command; the promise then rejects with "was stopped" */
  signal?: AbortSignal;
  /** run it in bubblewrap, writing only these folders (setup-sandbox.ts) */
  sandbox?: { writable: readonly string[] };
}

export function runShellCommand(command: string, cwd: string, opts: ShellCommandOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? SETUP_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // detached: the command gets its own process group, so a timeout kills its children too
    // (execFile does not pass `detached` through, hence spawn)
    const [file, args] = opts.sandbox
      ? ['bwrap', bwrapArgs({ cwd, writable: opts.sandbox.writable, isolated: false }, command)]
      : ['/bin/sh', ['-c', command]];
    const child = spawn(file, args, {
      cwd,
      env: scrubbedEnv(opts.env),
      detached: true,
      stdio: 'pipe',
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-KEEP_OUTPUT_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.stdin.end();
    let killedFor: string | null = null;
    const kill = (why: string) => {
      killedFor ??= why;
      killGroup(child.pid);
    };
    const timer = setTimeout(() => kill(`timed out after ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    const onAbort = () => kill('was stopped');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    const fail = (how: string, exitCode: number | null, cause?: unknown) => {
      const shown = tail(output.trim(), 4000);
      reject(
        new OrchError(
          ErrorCode.git_failed,
          `setup command ${JSON.stringify(command)} ${how}${shown ? `:\n${shown}` : ''}`,
          { command, cwd, exitCode, output: shown },
          cause === undefined ? undefined : { cause },
        ),
      );
    };
    const done = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err) => {
      done();
      fail(`could not start: ${err.message}`, null, err);
    });
    child.on('close', (code, signal) => {
      done();
      if (killedFor !== null) return fail(killedFor, null);
      if (code === 0) return resolve();
      fail(code === null ? `was killed by ${signal}` : `exited ${code}`, code);
    });
  });
}

export { killGroup };
