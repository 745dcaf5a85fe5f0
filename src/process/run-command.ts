/**
 * Runs one verify (or setup) process and contains it: its own process group, killed whole on timeout,
 * on cancel and when its output floods; the output goes to a capped log file and a tail in memory.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { processStartTime } from './process-identity.js';

/** bytes of output kept in the log file; the rest is counted, not stored */
export const LOG_CAP_BYTES = 16 * 1024 * 1024;
/** output beyond this is not a test run any more: the process is stopped */
export const FLOOD_BYTES = 256 * 1024 * 1024;
const TAIL_KEEP_CHARS = 64 * 1024;

export interface CommandSpec {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  logFile: string;
  onOutput?(text: string): void;
  onStarted?(pid: number, startTime: string | null): void;
  signal?: AbortSignal;
  /** test seam */
  floodBytes?: number;
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  flooded: boolean;
  /** the process could not be started at all */
  spawnError: string | null;
  durationMs: number;
  bytes: number;
  tail: string;
}

export function runCommand(spec: CommandSpec): Promise<CommandResult> {
  mkdirSync(dirname(spec.logFile), { recursive: true, mode: 0o700 });
  const log = createWriteStream(spec.logFile, { mode: 0o600 });
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: 'pipe',
    });
    let tail = '';
    let bytes = 0;
    let why: 'timeout' | 'cancel' | 'flood' | null = null;
    const stop = (reason: 'timeout' | 'cancel' | 'flood') => {
      why ??= reason;
      killGroup(child.pid);
    };
    const take = (chunk: Buffer) => {
      const before = bytes;
      bytes += chunk.length;
      if (before < LOG_CAP_BYTES) {
        log.write(chunk.subarray(0, LOG_CAP_BYTES - before));
        if (bytes >= LOG_CAP_BYTES) log.write(`\n[ve: output beyond ${LOG_CAP_BYTES} bytes is not kept]\n`);
      }
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-TAIL_KEEP_CHARS);
      spec.onOutput?.(text);
      if (bytes > (spec.floodBytes ?? FLOOD_BYTES)) stop('flood');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.stdin.end();
    if (child.pid !== undefined) spec.onStarted?.(child.pid, processStartTime(child.pid));
    const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
    const onAbort = () => stop('cancel');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();
    let finished = false;
    const finish = (exitCode: number | null, signal: string | null, spawnError: string | null) => {
      if (finished) return; // 'error' and 'close' can both come
      finished = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      log.end(() =>
        resolve({
          exitCode,
          signal,
          timedOut: why === 'timeout',
          cancelled: why === 'cancel',
          flooded: why === 'flood',
          spawnError,
          durationMs: Date.now() - started,
          bytes,
          tail,
        }),
      );
    };
    child.on('error', (err) => finish(null, null, err.message));
    child.on('close', (code, signal) => finish(code, signal, null));
  });
}

/** SIGKILL to a whole process group; a group that is already gone is what we wanted. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (e) {
    // ESRCH: already gone, which is what we wanted
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** The last `lines` lines of `text`, at most `chars` characters. */
export function lastLines(text: string, lines = 60, chars = 6000): string {
  const kept = text.trimEnd().split('\n').slice(-lines).join('\n');
  return kept.length > chars ? `…${kept.slice(-chars)}` : kept;
}
