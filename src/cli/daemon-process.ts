/**
 * The daemon as an OS process, seen from the CLI: reading `.ve/` state files, telling a live daemon
 * from a stale pid file (zombies included), and the start-up log lines that explain a failure.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { ProjectPaths } from '../config/paths.js';
import { ifPresent, isMissing } from '../shared/fs-errors.js';

/** The pid in `.ve/orchestrator.pid`, or null when the file is missing or unreadable as a pid. */
export function readPidFile(paths: ProjectPaths): number | null {
  const text = readOptional(paths.pid);
  if (text === null) return null;
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

export function readPortFile(paths: ProjectPaths): number | null {
  const text = readOptional(paths.port);
  if (text === null) return null;
  const port = Number.parseInt(text.trim(), 10);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

export function readTokenFile(paths: ProjectPaths): string | null {
  const text = readOptional(paths.token)?.trim();
  return text ? text : null;
}

/** `http://127.0.0.1:<port>/?token=<token>` from the state files, or null when either is missing. */
export function dashboardUrl(paths: ProjectPaths): string | null {
  const port = readPortFile(paths);
  const token = readTokenFile(paths);
  if (port === null || token === null) return null;
  return `http://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`;
}

function readOptional(path: string): string | null {
  return ifPresent(() => readFileSync(path, 'utf8'), null);
}

/**
 * True when `pid` is a running process. A zombie (exited, not yet reaped by its parent) still
 * answers kill(pid, 0), so on Linux the state letter in /proc/<pid>/stat decides.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the state letter follows the command name, which may itself contain ')' — take the last one
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return signalProbe(pid);
    // no /proc entry: either the process is gone, or this system has no procfs
    return procfsAvailable() ? false : signalProbe(pid);
  }
}

function procfsAvailable(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch (e) {
    // no procfs (macOS): fall back to kill(pid, 0)
    if (isMissing(e)) return false;
    throw e;
  }
}

function signalProbe(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The pid of the live daemon for this project, or null. A pid file naming a process that is not a
 * ve daemon (the pid was reused after a crash) counts as stale.
 */
export function runningDaemonPid(paths: ProjectPaths): number | null {
  const pid = readPidFile(paths);
  if (pid === null || !isProcessAlive(pid)) return null;
  const cmdline = readOptional(`/proc/${pid}/cmdline`);
  if (cmdline !== null && !cmdline.includes('daemon/main')) return null;
  return pid;
}

/** Removes the files a live daemon owns; the lock and token stay (the daemon rewrites them). */
export function removeRuntimeFiles(paths: ProjectPaths): void {
  for (const f of [paths.pid, paths.port, paths.socket]) rmSync(f, { force: true });
}

export interface LogLineInfo {
  level: string | null;
  msg: string;
  fields: Record<string, unknown>;
}

/** Parses daemon log text (JSON lines, possibly with raw stderr mixed in). */
export function parseDaemonLog(text: string): LogLineInfo[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => {
      try {
        const v = JSON.parse(l) as Record<string, unknown>;
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          return { level: typeof v.level === 'string' ? v.level : null, msg: String(v.msg ?? ''), fields: v };
        }
      } catch {
        // raw stderr (an uncaught exception's stack, a node warning): kept as a plain message
      }
      return { level: null, msg: l.trim(), fields: {} };
    });
}

/** Why the daemon failed to start, from the log lines it wrote during this attempt. */
export function startupFailureReason(lines: readonly LogLineInfo[]): string | null {
  const errors = lines.filter((l) => l.level === 'error' || l.level === 'fatal');
  const last = errors[errors.length - 1];
  if (last) {
    const err = last.fields.error ?? last.fields.err;
    const detail =
      typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
        ? (err as { message: string }).message
        : typeof err === 'string'
          ? err
          : null;
    return detail && !last.msg.includes(detail) ? `${last.msg}: ${detail}` : last.msg;
  }
  const raw = lines.filter((l) => l.level === null && /error/i.test(l.msg));
  return raw[raw.length - 1]?.msg ?? null;
}

/** The pid named by an "already running" line, when the daemon refused to start because of the lock. */
export function alreadyRunningPid(lines: readonly LogLineInfo[]): number | null {
  for (const l of [...lines].reverse()) {
    if (l.msg === 'already running') {
      const pid = Number(l.fields.pid);
      return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
    }
  }
  return null;
}
