/**
 * The Agent SDK's `spawnClaudeCodeProcess` for a host: Claude Code runs there, its stdin and stdout
 * carried by one `ssh -T` session, so the SDK's control protocol (canUseTool, hooks, in-process MCP
 * servers, interrupt) works unchanged. The launch goes through claude-launch.ts (no secret on a
 * command line). Kill is explicit: closing an ssh session without a terminal sends the remote
 * process no signal, and Claude Code's tools run detached, so `kill()` runs the stop script for the
 * launch through a second session and closes the local ssh only afterwards (docs/hosts.md, "Kill").
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { formatLease, type Lease } from '../domain/lease.js';
import type { ClaudeLauncher } from '../ports/hosts.js';
import { assertNativeClaude, LAUNCHER, launchHeader, remoteEnv, STARTED_MARKER } from './claude-launch.js';
import { STOP_PROCESSES } from './remote-scripts.js';
import type { SshHost, SshTransport } from './ssh-transport.js';

export interface RemoteClaudeOptions {
  transport: SshTransport;
  host: SshHost;
  /** Claude Code on the host */
  claudePath: string;
  /** the unit's run folder on the host, for pid files */
  runDir: string;
  /** the unit's lease file on the host, and the lease the caller holds (launch refused otherwise) */
  leaseFile: string;
  lease: Lease;
  /** Claude Code's stderr, and ve's own notes about the remote process */
  onStderr?: (text: string) => void;
  /** how long the local ssh may outlive a remote kill before it is closed; default 3000 ms */
  closeGraceMs?: number;
}

const SIGNALS: Partial<Record<NodeJS.Signals, string>> = {
  SIGTERM: 'TERM',
  SIGKILL: 'KILL',
  SIGINT: 'INT',
  SIGHUP: 'HUP',
};

/**
 * A launcher whose `spawn` is the SDK's `spawnClaudeCodeProcess` (the SDK's `cwd` must be a folder
 * on the host); `settled` waits for every process it started to end and be swept.
 */
export function remoteClaudeLauncher(o: RemoteClaudeOptions): ClaudeLauncher {
  const running = new Set<Promise<void>>();
  let lost: string | null = null;
  const spawn = (opts: SpawnOptions, onStderr = o.onStderr): SpawnedProcess => {
    assertNativeClaude(opts.command);
    if (!opts.cwd)
      throw new OrchError(ErrorCode.invalid_input, 'Claude Code over ssh needs a cwd on the host');
    const id = randomBytes(8).toString('hex');
    const end = `ve-end-${randomBytes(16).toString('hex')}`;
    const header = launchHeader(
      { executable: o.claudePath, args: opts.args, cwd: opts.cwd, env: remoteEnv(opts.env) },
      end,
    );
    const child = o.transport.spawn(o.host, [
      'sh',
      '-c',
      LAUNCHER,
      'sh',
      o.runDir,
      id,
      end,
      o.leaseFile,
      formatLease(o.lease).trim(),
      STOP_PROCESSES,
    ]);
    // first on the session's stdin, ahead of anything the SDK writes
    child.stdin?.write(header);
    const onLost = (why: string) => {
      lost ??= why;
    };
    const proc = new RemoteClaudeProcess(child, { ...o, onStderr, onLost }, `${id}.pid`, opts.signal);
    const ended = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    running.add(ended);
    void ended.then(() => running.delete(ended));
    return proc;
  };
  return {
    spawn,
    settled: async () => {
      while (running.size > 0) await Promise.all(running);
    },
    connectionLost: () => lost,
  };
}

/**
 * The SDK's view of Claude Code on the host. 'exit' is reported only once whatever the launch left
 * on the host has been stopped, so when the SDK (and a phase) is done with a process, nothing of it
 * runs there any more.
 */
class RemoteClaudeProcess extends EventEmitter implements SpawnedProcess {
  private killRequested = false;
  private stopping: Promise<void> | null = null;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private launched = false;
  private readonly started: Promise<void>;
  private readonly sessionEnded: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    private readonly o: RemoteClaudeOptions & { onLost: (why: string) => void },
    private readonly pidFile: string,
    signal: AbortSignal,
  ) {
    super();
    let markStarted: () => void = () => {};
    this.started = new Promise((resolve) => {
      markStarted = () => {
        this.launched = true;
        resolve();
      };
    });
    this.sessionEnded = new Promise((resolve) => child.once('exit', () => resolve()));
    this.forwardStderr(markStarted);
    child.once('exit', (code, sig) => void this.finish(code, sig));
    child.on('error', (err) => this.emit('error', err));
    child.stdin?.on('error', () => {
      // the session ended while the SDK was writing; the exit event reports it
    });
    if (signal.aborted) this.kill('SIGTERM');
    else signal.addEventListener('abort', () => this.kill('SIGTERM'), { once: true });
  }

  get stdin() {
    return this.child.stdin!;
  }
  get stdout() {
    return this.child.stdout!;
  }
  get killed(): boolean {
    return this.killRequested || this.child.killed;
  }
  get exitCode(): number | null {
    return this.exit?.code ?? null;
  }
  get signalCode(): NodeJS.Signals | null {
    return this.exit?.signal ?? null;
  }

  kill(signal: NodeJS.Signals): boolean {
    if (this.exit) return false;
    this.killRequested = true;
    this.stopping ??= this.stopRemote(SIGNALS[signal] ?? 'TERM');
    return true;
  }

  /** stderr up to the launcher's marker line is held back, so the marker never reaches the caller */
  private forwardStderr(markStarted: () => void): void {
    let pending: string | null = '';
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      if (pending === null) return this.o.onStderr?.(text);
      pending += text;
      const at = pending.indexOf(`${STARTED_MARKER}\n`);
      if (at < 0 && pending.length < 64 * 1024) return;
      const rest = at < 0 ? pending : pending.slice(0, at) + pending.slice(at + STARTED_MARKER.length + 1);
      pending = null;
      if (at >= 0) markStarted();
      if (rest) this.o.onStderr?.(rest);
    });
    this.child.once('exit', () => {
      if (pending) this.o.onStderr?.(pending);
      pending = null;
    });
  }

  /**
   * Signals the launch on the host once the launcher has recorded it (or the session is gone), then
   * gives the ssh session a moment to end by itself before closing it.
   */
  private async stopRemote(sig: string): Promise<void> {
    await Promise.race([this.started, this.sessionEnded]);
    if (this.child.exitCode === null && this.child.signalCode === null) await this.sweep(sig);
    const grace = setTimeout(() => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    }, this.o.closeGraceMs ?? 3000);
    grace.unref();
    await this.sessionEnded;
    clearTimeout(grace);
  }

  /** the session is over: stop what the launch left (tools outlive Claude Code), then tell the SDK */
  private async finish(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // ssh's 255 with no master connection left: the connection went, not Claude Code
    if (code === 255 && !(await this.o.transport.connected(this.o.host)))
      this.o.onLost(`the ssh connection to host ${this.o.host.name} was lost while Claude Code ran`);
    if (this.stopping) await this.stopping;
    if (this.launched) await this.sweep('TERM');
    this.exit = { code, signal };
    this.emit('exit', code, signal);
  }

  /**
   * STOP_PROCESSES for this launch. A host that cannot be reached cannot be signalled: its sshd ends
   * the session when the connection times out, Claude Code sees its stdin close, and the next
   * placement of the unit stops whatever is left (CREATE_WORKTREE).
   */
  private async sweep(sig: string): Promise<void> {
    const { transport, host, runDir } = this.o;
    if (!(await transport.connected(host))) {
      this.o.onStderr?.(`ve: host ${host.name} is unreachable; Claude Code there was not signalled\n`);
      return;
    }
    try {
      await transport.runOk(host, ['sh', '-c', STOP_PROCESSES, 'sh', runDir, sig, this.pidFile], {
        timeoutMs: 15_000,
      });
    } catch (err) {
      this.o.onStderr?.(`ve: could not stop Claude Code on host ${host.name}: ${String(err)}\n`);
    }
  }
}
