/**
 * A real daemon process for process-level tests and benches: `node dist/src/daemon/main.js` on a temp
 * repository, its JSON log kept in `.ve/test-daemon.log`, plus a token-carrying HTTP client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fakeClaudePath, repoRoot } from './agent-fixtures.js';

export interface DaemonProcess {
  root: string;
  port: number;
  token: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** the link `ve orch url` prints: it carries the token once */
  loginUrl: string;
  /** JSON request with the bearer token; throws with the body on a non-2xx answer */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** SIGTERM and wait for the exit */
  stop(): Promise<void>;
  /** the daemon's own log so far, for failure messages */
  log(): string;
}

export interface DaemonOptions {
  root: string;
  /** extra environment (VE_CLAUDE_PATH, FAKE_CLAUDE_SCRIPT …) */
  env?: Record<string, string>;
  /** fixed TCP port (a restart reuses the previous one); 0 = any */
  port?: number;
  timeoutMs?: number;
}

export async function startDaemon(opts: DaemonOptions): Promise<DaemonProcess> {
  const main = join(repoRoot(), 'dist', 'src', 'daemon', 'main.js');
  const logPath = join(opts.root, '.ve', 'test-daemon.log');
  mkdirSync(join(opts.root, '.ve'), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  for (const k of Object.keys(env))
    if (k.startsWith('GIT_') && k !== 'GIT_CONFIG_GLOBAL' && k !== 'GIT_CONFIG_NOSYSTEM') delete env[k];
  const child = spawn(
    process.execPath,
    [main, '--project-dir', opts.root, '--port', String(opts.port ?? 0)],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const { port } = await waitReady(child, logPath, opts.timeoutMs ?? 20_000);
  const token = readFileSync(join(opts.root, '.ve', 'orchestrator.token'), 'utf8').trim();
  const origin = `http://127.0.0.1:${port}`;
  return {
    root: opts.root,
    port,
    token,
    origin,
    loginUrl: `${origin}/?token=${token}`,
    api: async <T>(method: string, path: string, body?: unknown) => {
      const res = await fetch(`${origin}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
    stop: () => stopChild(child),
    log: () => safeRead(logPath),
  };
}

function waitReady(child: ChildProcess, logPath: string, timeoutMs: number): Promise<{ port: number }> {
  const file = createWriteStream(logPath, { flags: 'a' });
  child.stderr?.pipe(file);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`daemon not ready after ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\n--- daemon log ---\n${safeRead(logPath)}`));
    };
    child.once('exit', (code) => fail(new Error(`daemon exited with ${code} before it was ready`)));
    lines.on('line', (line) => {
      file.write(`${line}\n`);
      try {
        const rec = JSON.parse(line) as { msg?: string; port?: number };
        if (rec.msg === 'ready' && typeof rec.port === 'number') {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve({ port: rec.port });
        }
      } catch {
        // not JSON: keep it in the log file only
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    return `(no log: ${(e as Error).message})`;
  }
}

/**
 * A daemon whose agents are test/fixtures/fake-claude.mjs playing `script` (see fake-claude.md),
 * written into the repository's `.git` so no worktree sees it; git config of the machine left out.
 */
export function startScriptedDaemon(root: string, script: unknown): Promise<DaemonProcess> {
  const file = join(root, '.git', 'fake-claude-script.json');
  writeFileSync(file, JSON.stringify(script));
  return startDaemon({
    root,
    env: {
      VE_CLAUDE_PATH: fakeClaudePath(),
      FAKE_CLAUDE_SCRIPT: file,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
}
