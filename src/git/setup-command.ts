/**
 * Runs the configured setup command (`npm ci`, `make deps`…) in a new worktree through /bin/sh,
 * with a timeout that kills the whole process group, and reports the tail of its output on failure.
 */
import { spawn } from 'node:child_process';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { scrubbedEnv, tail } from './git-cli.js';

export const SETUP_TIMEOUT_MS = 10 * 60 * 1000;
const KEEP_OUTPUT_CHARS = 64 * 1024;

export function runShellCommand(command: string, cwd: string, timeoutMs = SETUP_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    // detached: the command gets its own process group, so a timeout kills its children too
    // (execFile does not pass `detached` through, hence spawn)
    const child = spawn('/bin/sh', ['-c', command], {
      cwd,
      env: scrubbedEnv(),
      detached: true,
      stdio: 'pipe',
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-KEEP_OUTPUT_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.stdin.end();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
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
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(`could not start: ${err.message}`, null, err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return fail(`timed out after ${Math.round(timeoutMs / 1000)} s`, null);
      if (code === 0) return resolve();
      fail(code === null ? `was killed by ${signal}` : `exited ${code}`, code);
    });
  });
}
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (e) {
    // ESRCH: the group is already gone, which is what we wanted
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
