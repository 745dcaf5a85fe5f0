/**
 * A real daemon for benches: spawns `dist/src/daemon/main.js` on a project, waits until it answers,
 * and talks to it over its unix socket (the CLI's channel). Stdout (the JSON-lines log) goes to a file
 * so a chatty daemon never blocks on a full pipe.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { projectPaths } from '../../src/config/paths.js';

/** dist/bench/lib/daemon.js → dist/src/daemon/main.js */
export const DAEMON_ENTRY = fileURLToPath(new URL('../../src/daemon/main.js', import.meta.url));
/** the fake Claude Code CLI, from the source tree (it is plain .mjs, not compiled) */
export const FAKE_CLAUDE = fileURLToPath(new URL('../../../test/fixtures/fake-claude.mjs', import.meta.url));
export const INSTANT_AGENT = fileURLToPath(
  new URL('../../../bench/fixtures/instant-agent.mjs', import.meta.url),
);
/** preload that writes the daemon's event-loop delay histogram to $VE_BENCH_LOOP_OUT at exit */
export const LOOP_DELAY_PROBE = fileURLToPath(
  new URL('../../../bench/fixtures/loop-delay.mjs', import.meta.url),
);

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** The environment that makes the daemon's agents the instant scripted fake. */
export function instantAgentEnv(): Record<string, string> {
  return { VE_CLAUDE_PATH: FAKE_CLAUDE, FAKE_CLAUDE_SCRIPT: INSTANT_AGENT };
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** One HTTP request over the project's unix socket, on a fresh connection (as the CLI makes it). */
export function api<T = unknown>(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        socketPath,
        method,
        path,
        agent: false,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T });
          } catch (e) {
            reject(
              new Error(`${method} ${path}: unparsable answer (${res.statusCode}): ${text.slice(0, 200)}`, {
                cause: e,
              }),
            );
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Like `api` but throws unless the status is 2xx. */
export async function apiOk<T = unknown>(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const r = await api<T>(socketPath, method, path, body);
  if (r.status < 200 || r.status >= 300)
    throw new Error(`${method} ${path} → ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}

export interface RunningDaemon {
  root: string;
  pid: number;
  socket: string;
  port: number;
  token: string;
  logFile: string;
  /** ms from spawn to the first answered GET /api/status */
  readyMs: number;
  /** the event-loop delay histogram, once stopped (only with `loopDelay: true`) */
  loopDelay(): LoopDelay | null;
  /** restarts the event-loop delay histogram (SIGUSR2 to the probe) */
  resetLoopDelay(): void;
  child: ChildProcess;
  api: <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `.ve/orchestrator.port` exists and GET /api/status answers 200. */
export async function waitReady(
  root: string,
  opts: { timeoutMs?: number; child?: ChildProcess; logFile?: string; pollMs?: number } = {},
): Promise<void> {
  const paths = projectPaths(root);
  const deadline = performance.now() + (opts.timeoutMs ?? 30_000);
  while (performance.now() < deadline) {
    if (opts.child && opts.child.exitCode !== null)
      throw new Error(`daemon exited with ${opts.child.exitCode} before ready: ${tail(opts.logFile)}`);
    if (existsSync(paths.port)) {
      const ok = await api(paths.socket, 'GET', '/api/status').then(
        (r) => r.status === 200,
        () => false, // the socket is bound a moment after the port file in some orders: try again
      );
      if (ok) return;
    }
    await sleep(opts.pollMs ?? 5);
  }
  throw new Error(`daemon not ready after ${opts.timeoutMs ?? 30_000} ms: ${tail(opts.logFile)}`);
}

function tail(file: string | undefined): string {
  if (!file || !existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-8).join('\n');
}

/** Starts the daemon; `stop()` ends it and deletes its log unless `keepLog` (the log stays on a failed start). */
export async function startDaemon(
  root: string,
  opts: { env?: Record<string, string>; nodeArgs?: string[]; keepLog?: boolean; loopDelay?: boolean } = {},
): Promise<RunningDaemon> {
  const logDir = mkdtempSync(join(tmpdir(), 've-bench-log-'));
  const logFile = join(logDir, 'daemon.jsonl');
  const loopFile = join(logDir, 'loop-delay.json');
  let loop: LoopDelay | null = null;
  const probe = opts.loopDelay ? ['--import', LOOP_DELAY_PROBE] : [];
  const fd = openSync(logFile, 'a');
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...probe, ...(opts.nodeArgs ?? []), DAEMON_ENTRY, '--project-dir', root, '--port', '0'],
    {
      cwd: root,
      env: {
        ...process.env,
        ...(opts.env ?? {}),
        ...(opts.loopDelay ? { VE_BENCH_LOOP_OUT: loopFile } : {}),
      },
      stdio: ['ignore', fd, fd],
    },
  );
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitReady(root, { child, logFile });
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const readyMs = performance.now() - t0;
  const paths = projectPaths(root);
  return {
    root,
    pid: child.pid as number,
    socket: paths.socket,
    port: Number(readFileSync(paths.port, 'utf8').trim()),
    token: readFileSync(paths.token, 'utf8').trim(),
    logFile,
    readyMs,
    loopDelay: () => loop,
    resetLoopDelay: () => {
      if (opts.loopDelay) child.kill('SIGUSR2');
    },
    child,
    api: (method, path, body) => apiOk(paths.socket, method, path, body),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      if (opts.loopDelay && existsSync(loopFile))
        loop = JSON.parse(readFileSync(loopFile, 'utf8')) as LoopDelay;
      if (!opts.keepLog) rmSync(logDir, { recursive: true, force: true });
    },
  };
}
