/**
 * `ve orch start` / `stop`: spawns the daemon detached with its output appended to
 * `.ve/orchestrator.log`, waits until its API answers, and stops it with SIGTERM (then SIGKILL).
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { StatusDto } from '../api/dto.js';
import type { ProjectPaths } from '../config/paths.js';
import { ErrorCode, isOrchError, OrchError } from '../domain/errors.js';
import { DaemonClient, isAnswerTimeout } from './client.js';
import {
  alreadyRunningPid,
  dashboardUrl,
  isProcessAlive,
  parseDaemonLog,
  readPidFile,
  removeRuntimeFiles,
  runningDaemonPid,
  startupFailureReason,
} from './daemon-process.js';

const execFileAsync = promisify(execFile);
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const KILL_TIMEOUT_MS = 3_000;
const POLL_MS = 100;
/** exit code of a daemon that found the lock held by another daemon */
const EXIT_ALREADY_RUNNING = 3;

const DAEMON_ENTRY = fileURLToPath(new URL('../daemon/main.js', import.meta.url));

export interface StartResult {
  pid: number;
  url: string;
}

/** Refuses a directory that is not a git repository, or one with no commit to branch from. */
export async function assertHasCommits(root: string): Promise<void> {
  try {
    await execFileAsync('git', ['rev-parse', '--git-dir'], { cwd: root });
  } catch (e) {
    // git itself missing is not the repository's fault: say which it is
    const why =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'git is not installed (or not on PATH)'
        : `${root} is not a git repository`;
    throw new OrchError(
      ErrorCode.invalid_input,
      `cannot start the orchestrator: ${why}`,
      {},
      {
        cause: e,
      },
    );
  }
  try {
    await execFileAsync('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: root });
  } catch (e) {
    throw new OrchError(
      ErrorCode.invalid_input,
      "cannot start the orchestrator: the repository has no commits. Make an initial commit first (e.g. git commit --allow-empty -m 'Initial commit')",
      {},
      { cause: e },
    );
  }
}

export async function startDaemon(paths: ProjectPaths, opts: { port?: number }): Promise<StartResult> {
  await assertHasCommits(paths.root);
  // a daemon may answer on the socket although its pid file was deleted
  const running = runningDaemonPid(paths) ?? (await answeringDaemonPid(paths));
  if (running !== null)
    throw new OrchError(ErrorCode.already_running, `already running (pid ${running})`, { pid: running });
  // a pid file naming a dead process is left over from a crash or kill -9: start over
  if (readPidFile(paths) !== null) removeRuntimeFiles(paths);

  // private from the start: the daemon tightens .ve too, but the log is ours to create
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const logOffset = fileSize(paths.log);
  const logFd = openSync(paths.log, 'a', 0o600);
  const args = [DAEMON_ENTRY, '--project-dir', paths.root];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  let ended: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | null = null;
  try {
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      cwd: paths.root,
    });
    child.on('exit', (code, signal) => {
      ended = { code, signal };
    });
    child.on('error', (error) => {
      ended = { code: null, signal: null, error };
    });
    child.unref();
    return await waitUntilReady(paths, () => ended, logOffset, child.pid ?? null);
  } finally {
    closeSync(logFd);
  }
}

/** The pid reported by a daemon answering on the socket, or null when nothing answers. */
async function answeringDaemonPid(paths: ProjectPaths): Promise<number | null> {
  try {
    const status = await new DaemonClient(paths.socket, 2_000).get<StatusDto>('/api/status');
    return status.pid;
  } catch (e) {
    if (isOrchError(e, ErrorCode.not_running)) return null;
    throw e;
  }
}

type Ended = { code: number | null; signal: NodeJS.Signals | null; error?: Error } | null;

async function waitUntilReady(
  paths: ProjectPaths,
  ended: () => Ended,
  logOffset: number,
  childPid: number | null,
): Promise<StartResult> {
  const client = new DaemonClient(paths.socket, 2_000);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const end = ended();
    if (end) throw startFailure(paths, end, logOffset, childPid);
    try {
      const status = await client.get<StatusDto>('/api/status');
      // the port file is written just after the listeners bind: wait for it too, for the URL
      const url = dashboardUrl(paths);
      // an answer from another daemon (one whose pid file is gone) is not our child being ready
      const ours = status.pid === null || childPid === null || status.pid === childPid;
      if (ours && url !== null) return { pid: status.pid ?? childPid ?? readPidFile(paths) ?? 0, url };
    } catch (e) {
      // not listening yet is expected while the daemon opens its store and binds its sockets; slow to
      // answer, while a loaded machine or a recovery keeps it busy: the start deadline decides
      if (!isOrchError(e, ErrorCode.not_running) && !isAnswerTimeout(e)) throw e;
    }
    if (Date.now() > deadline) {
      if (childPid !== null && isProcessAlive(childPid)) process.kill(childPid, 'SIGTERM');
      const reason = startupFailureReason(parseDaemonLog(readLogFrom(paths.log, logOffset)));
      throw new OrchError(
        ErrorCode.internal,
        `the orchestrator did not become ready within ${START_TIMEOUT_MS / 1000} s and was stopped${reason ? `: ${reason}` : ''} (see ${paths.log})`,
      );
    }
    await sleep(POLL_MS);
  }
}

function startFailure(
  paths: ProjectPaths,
  end: NonNullable<Ended>,
  logOffset: number,
  childPid: number | null,
): OrchError {
  const lines = parseDaemonLog(readLogFrom(paths.log, logOffset));
  if (end.code === EXIT_ALREADY_RUNNING) {
    // the pid file names the holder; the log line's `pid` is the holder's only if it is not our child's
    const logged = alreadyRunningPid(lines);
    const pid = runningDaemonPid(paths) ?? (logged !== childPid ? logged : null);
    const which = pid === null ? `another daemon holds ${paths.lock}` : `pid ${pid}`;
    return new OrchError(ErrorCode.already_running, `already running (${which})`, { pid });
  }
  const how = end.error
    ? `could not be spawned: ${end.error.message}`
    : end.signal
      ? `was killed by ${end.signal}`
      : `exited with code ${end.code}`;
  const reason = startupFailureReason(lines);
  return new OrchError(
    ErrorCode.internal,
    `the orchestrator failed to start: ${reason ?? `the daemon ${how}`} (see ${paths.log})`,
    { exit_code: end.code, signal: end.signal },
  );
}

export interface StopResult {
  wasRunning: boolean;
  pid: number | null;
  /** SIGTERM was not enough and SIGKILL was sent */
  killed: boolean;
}

/** SIGTERM, wait for a graceful exit, then SIGKILL; the runtime files are removed on every path. */
export async function stopDaemon(paths: ProjectPaths): Promise<StopResult> {
  const pid = runningDaemonPid(paths) ?? (await answeringDaemonPid(paths));
  if (pid === null) {
    removeRuntimeFiles(paths);
    return { wasRunning: false, pid: null, killed: false };
  }
  signal(pid, 'SIGTERM');
  let killed = false;
  if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
    killed = true;
    signal(pid, 'SIGKILL');
    if (!(await waitForExit(pid, KILL_TIMEOUT_MS))) {
      throw new OrchError(
        ErrorCode.internal,
        `failed to stop the orchestrator (pid ${pid} survived SIGKILL)`,
        { pid },
      );
    }
  }
  removeRuntimeFiles(paths);
  return { wasRunning: true, pid, killed };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    // ESRCH: it exited between the check and the signal, which is what we want
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

/** The log text written since `offset` (at most the last 1 MiB of it: enough to find the error). */
function readLogFrom(path: string, offset: number): string {
  const size = fileSize(path);
  const start = Math.max(offset, size - 1024 * 1024);
  if (size <= start) return '';
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    const n = readSync(fd, buf, 0, buf.length, start);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
