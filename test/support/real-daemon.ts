/**
 * A real daemon process (dist/src/daemon/main.js) for security and fuzz tests, plus a raw HTTP client
 * that can send any header (Host, Origin, cookies) over TCP or the unix socket.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const DAEMON_MAIN = fileURLToPath(new URL('../../src/daemon/main.js', import.meta.url));

export interface RunningDaemon {
  child: ChildProcess;
  pid: number;
  port: number;
  token: string;
  socket: string;
  /** everything the daemon printed (JSON log lines) */
  output(): string;
  /** resolves with the exit code */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** run under this umask (octal string), to prove the daemon's file modes do not rely on ours */
  umask?: string;
}

/** Spawns the daemon; use `waitReady` or `exited` on the result. */
export function spawnDaemon(root: string, opts: SpawnOptions = {}) {
  const args = [DAEMON_MAIN, '--project-dir', root, '--port', '0'];
  const child = opts.umask
    ? spawn('/bin/sh', ['-c', `umask ${opts.umask} && exec "$0" "$@"`, process.execPath, ...args], {
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, args, {
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Starts a daemon and waits until it answers on its socket as itself (not a stale file of a dead one). */
export async function startDaemon(root: string, opts: SpawnOptions = {}): Promise<RunningDaemon> {
  const { child, output, exited } = spawnDaemon(root, opts);
  const socket = join(root, '.ve', 'orchestrator.sock');
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  let ready = false;
  for (let i = 0; i < 600 && !ready; i++) {
    if (gone) throw new Error(`daemon exited before it was ready:\n${output()}`);
    ready = (await answeringPid(socket)) === child.pid && existsSync(join(root, '.ve', 'orchestrator.port'));
    if (!ready) await sleep(50);
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`daemon not ready after 30 s:\n${output()}`);
  }
  const port = Number(readFileSync(join(root, '.ve', 'orchestrator.port'), 'utf8').trim());
  const token = readFileSync(join(root, '.ve', 'orchestrator.token'), 'utf8').trim();
  const stop = async () => {
    if (!gone) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return { child, pid: child.pid as number, port, token, socket, output, exited, stop };
}

/** The pid the daemon on `socket` reports, or null when nothing answers there. */
async function answeringPid(socket: string): Promise<number | null> {
  try {
    const res = await viaSocket(socket, 'GET', '/api/status');
    return res.status === 200 ? res.json<{ pid: number }>().pid : null;
  } catch {
    return null;
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export interface RawRequest {
  method?: string;
  path: string;
  /** TCP on 127.0.0.1 (or `host`) … */
  port?: number;
  host?: string;
  /** … or the unix socket */
  socketPath?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** send the body with chunked transfer encoding instead of a Content-Length */
  chunked?: boolean;
}

export function rawRequest(r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = r.body === undefined ? undefined : Buffer.from(r.body);
    const headers: Record<string, string | number> = { ...r.headers };
    if (body && !r.chunked) headers['content-length'] = body.length;
    const req = request(
      {
        method: r.method ?? 'GET',
        path: r.path,
        headers,
        ...(r.socketPath ? { socketPath: r.socketPath } : { host: r.host ?? '127.0.0.1', port: r.port }),
        setHost: !('host' in (r.headers ?? {})) && !('Host' in (r.headers ?? {})),
        // a connection of its own: a refused upload may still be failing to write when the answer is in
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          req.destroy();
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      // the server may answer 413 and close before it has read the whole body: wait for that answer
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') setTimeout(() => reject(e), 5_000).unref();
      else reject(e);
    });
    if (body && r.chunked) {
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.subarray(i, i + 16 * 1024));
      req.end();
    } else req.end(body);
  });
}

/** A JSON request over the unix socket (the CLI's channel: no token). */
export async function viaSocket(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawResponse> {
  return rawRequest({
    socketPath,
    method,
    path,
    headers: { host: 'localhost', 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}
