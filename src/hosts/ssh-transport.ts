/**
 * The system OpenSSH client behind one typed wrapper. Every call multiplexes over one master
 * connection per host (ControlMaster=auto, ControlPersist), so only the first call to a host pays
 * the handshake. Remote argv are quoted word by word. A failure says which side failed: the
 * connection (SshConnectionError) or the remote command (its exit status, or RemoteCommandError).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteCommandError, SshConnectionError } from './errors.js';
import {
  controlPath,
  DEFAULT_SSH_TIMING,
  destinationArgs,
  MAX_CONTROL_DIR,
  remoteCommand,
  type SshTarget,
  type SshTiming,
  shellQuote,
  sshOptions,
  sshUrl,
} from './ssh-command.js';

export interface SshHost {
  /** the host's name in ve (`hosts add <name>`) */
  name: string;
  target: SshTarget;
}

export interface RemoteResult {
  /** the remote command's exit status */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** written to the remote command's stdin (closed either way) */
  input?: string | Buffer;
  /** kill ssh after this long and report the host unreachable; default none */
  timeoutMs?: number;
  /** bytes of output kept; default 64 MiB */
  maxBuffer?: number;
}

export interface SshTransportOptions {
  /** where control sockets live (see `controlDirFor`) */
  controlDir: string;
  /** the ssh binary; default `ssh` on PATH */
  ssh?: string;
  timing?: SshTiming;
  /** ssh's environment (HOME, SSH_AUTH_SOCK…); default the daemon's */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

export class SshTransport {
  private readonly ssh: string;
  private readonly timing: SshTiming;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: SshTransportOptions) {
    this.ssh = opts.ssh ?? 'ssh';
    this.timing = opts.timing ?? DEFAULT_SSH_TIMING;
    this.env = opts.env ?? process.env;
  }

  /** the options every call to `host` carries, its control socket included */
  options(host: SshHost): string[] {
    return sshOptions(controlPath(this.opts.controlDir, targetKey(host.target)), this.timing);
  }

  /** the full ssh argv for running `argv` on `host` without a terminal */
  argsFor(host: SshHost, argv: readonly string[]): string[] {
    const dest = destinationArgs(host.target);
    return [
      '-T',
      ...this.options(host),
      ...dest.slice(0, -1),
      '--',
      dest.at(-1) as string,
      remoteCommand(argv),
    ];
  }

  /** Runs `argv` on the host and reports its exit status; throws only when the host was not reached. */
  run(host: SshHost, argv: readonly string[], opts: RunOptions = {}): Promise<RemoteResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.ssh,
        this.argsFor(host, argv),
        {
          env: this.env,
          maxBuffer: opts.maxBuffer ?? DEFAULT_MAX_BUFFER,
          encoding: 'utf8',
          timeout: opts.timeoutMs ?? 0,
          killSignal: 'SIGKILL',
        },
        (err, stdout, stderr) => {
          if (!err) return resolve({ code: 0, stdout, stderr });
          const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
          if (e.killed) return reject(new SshConnectionError(host.name, `no answer in ${opts.timeoutMs} ms`));
          if (typeof e.code !== 'number') return reject(err);
          if (e.code !== 255) return resolve({ code: e.code, stdout, stderr });
          this.classify255(host, stderr).then(
            (verdict) => (verdict === true ? resolve({ code: 255, stdout, stderr }) : reject(verdict)),
            reject,
          );
        },
      );
      child.stdin?.on('error', () => {
        // the remote side may exit before reading its stdin (EPIPE); the exit status tells the story
      });
      child.stdin?.end(opts.input ?? '');
    });
  }

  /** Runs `argv` on the host and returns its stdout; a non-zero exit becomes RemoteCommandError. */
  async runOk(host: SshHost, argv: readonly string[], opts: RunOptions = {}): Promise<string> {
    const r = await this.run(host, argv, opts);
    if (r.code !== 0) throw new RemoteCommandError(host.name, argv, r.code, r.stderr);
    return r.stdout;
  }

  /** Starts `argv` on the host with its stdio carried by the ssh process (all three piped). */
  spawn(host: SshHost, argv: readonly string[]): ChildProcess {
    return spawn(this.ssh, this.argsFor(host, argv), { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** true when a master connection to the host is up (a local check: no network round trip) */
  async connected(host: SshHost): Promise<boolean> {
    return (await this.control(host, 'check')) === 0;
  }

  /** closes the master connection (every multiplexed session on it ends) */
  async disconnect(host: SshHost): Promise<void> {
    await this.control(host, 'exit');
  }

  /**
   * What git needs to reach the host through the same master connection: GIT_SSH_COMMAND with these
   * options (git adds the port and destination from the URL).
   */
  gitEnv(host: SshHost): Record<string, string> {
    return {
      GIT_SSH_COMMAND: [this.ssh, ...this.options(host)].map(shellQuote).join(' '),
      GIT_SSH_VARIANT: 'ssh',
    };
  }

  /** `ssh://…/path` of a path on the host, for git */
  url(host: SshHost, absolutePath: string): string {
    return sshUrl(host.target, absolutePath);
  }

  /**
   * ssh exits 255 both for its own failures and when the remote command exited 255 or died of a
   * signal. A live master connection afterwards means the connection was fine: the status is the
   * remote command's. Resolves true for that, or to the SshConnectionError to throw.
   */
  private async classify255(host: SshHost, stderr: string): Promise<true | SshConnectionError> {
    if (await this.connected(host)) return true;
    return new SshConnectionError(host.name, lastLine(stderr));
  }

  private control(host: SshHost, command: 'check' | 'exit'): Promise<number> {
    const dest = destinationArgs(host.target);
    const args = ['-O', command, ...this.options(host), ...dest.slice(0, -1), '--', dest.at(-1) as string];
    return new Promise((resolve) => {
      execFile(this.ssh, args, { env: this.env, timeout: 10_000 }, (err) => {
        const code = (err as { code?: unknown } | null)?.code;
        resolve(err ? (typeof code === 'number' ? code : 255) : 0);
      });
    });
  }
}

function targetKey(t: SshTarget): string {
  return `${t.user ?? ''}@${t.host}:${t.port ?? ''}`;
}

function lastLine(s: string): string {
  const lines = s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? '';
}

/**
 * The folder for control sockets: `<stateDir>/ssh` (0700) when it is short enough for a socket path,
 * else a per-project folder under the system temp dir, made 0700 and checked to be ours and not a
 * link (another user could otherwise pre-create it and capture our connections).
 */
export function controlDirFor(stateDir: string): string {
  const preferred = join(stateDir, 'ssh');
  const dir =
    Buffer.byteLength(preferred) <= MAX_CONTROL_DIR
      ? preferred
      : join(
          tmpdir(),
          `ve-ssh-${process.getuid?.() ?? 'u'}-${createHash('sha256').update(stateDir).digest('hex').slice(0, 8)}`,
        );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0)
    throw new Error(`ssh control folder ${dir} must be a directory of ours with mode 0700`);
  return dir;
}
