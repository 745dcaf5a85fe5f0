/** Runs the real compiled `ve` CLI (dist/src/cli/main.js) as a child process, for process-level tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const VE_MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface VeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface VeOptions {
  cwd: string;
  /** merged over process.env (NO_COLOR is set unless given) */
  env?: NodeJS.ProcessEnv;
  /** kill the CLI and fail after this long; default 60 s */
  timeoutMs?: number;
  /** text written to the CLI's stdin */
  input?: string;
}

/** Runs `ve <args>` to completion. */
export function runVe(args: readonly string[], opts: VeOptions): Promise<VeResult> {
  const child = startVe(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`ve ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms\n${stderr}`),
      );
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `ve <args>` and returns the child (for `tail -f` and other long-running commands). */
export function startVe(args: readonly string[], opts: VeOptions): ChildProcess {
  const child = spawn(process.execPath, [VE_MAIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end(opts.input ?? '');
  return child;
}

/** Resolves with everything the stream printed once `predicate` holds for it (or rejects on timeout). */
export function waitForOutput(
  child: ChildProcess,
  predicate: (stdout: string) => boolean,
  timeoutMs = 10_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.stdout?.off('data', onData);
      reject(new Error(`timed out waiting for output; got:\n${seen}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString('utf8');
      if (predicate(seen)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
  });
}
