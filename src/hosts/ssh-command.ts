/**
 * Pure pieces of an ssh invocation: the host's address as the operator wrote it, the options every
 * call carries (multiplexing, no prompts, keep-alives), where the control socket lives, and the
 * quoting that turns an argv into the one string sshd hands to the remote login shell.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { SshTarget } from '../domain/ssh-target.js';

export { parseSshTarget, type SshTarget } from '../domain/ssh-target.js';

/** The destination arguments of `ssh`: `-p port` when given, then `[user@]host`. */
export function destinationArgs(t: SshTarget): string[] {
  // ssh takes a bare IPv6 address here; only URLs need brackets
  return [...(t.port !== null ? ['-p', String(t.port)] : []), t.user ? `${t.user}@${t.host}` : t.host];
}

/** `ssh://[user@]host[:port]/abs/path` for git; an IPv6 host goes in brackets */
export function sshUrl(t: SshTarget, absolutePath: string): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const port = t.port !== null ? `:${t.port}` : '';
  return `ssh://${t.user ? `${t.user}@` : ''}${host}${port}${absolutePath}`;
}

export interface SshTiming {
  /** seconds to wait for the TCP connection and handshake */
  connectTimeoutSec: number;
  /** seconds an idle master connection stays open after its last session */
  controlPersistSec: number;
  /** keep-alive probe interval; a connection is declared dead after 3 missed probes */
  serverAliveIntervalSec: number;
}

export const DEFAULT_SSH_TIMING: SshTiming = {
  connectTimeoutSec: 10,
  controlPersistSec: 300,
  serverAliveIntervalSec: 10,
};

/**
 * The options on every call. The user's ~/.ssh/config, agent and known_hosts still apply (these only
 * add to them): BatchMode turns any prompt — password, passphrase, unknown host key — into a failure.
 */
export function sshOptions(controlPath: string, timing: SshTiming = DEFAULT_SSH_TIMING): string[] {
  return [
    ['BatchMode', 'yes'],
    ['ControlMaster', 'auto'],
    ['ControlPath', controlPath],
    ['ControlPersist', String(timing.controlPersistSec)],
    ['ConnectTimeout', String(timing.connectTimeoutSec)],
    ['ServerAliveInterval', String(timing.serverAliveIntervalSec)],
    ['ServerAliveCountMax', '3'],
  ].flatMap(([k, v]) => ['-o', `${k}=${v}`]);
}

/**
 * Unix socket paths are limited to 108 bytes (sun_path), and ssh first binds a temporary name 17
 * characters longer than ControlPath. The socket is named by a 16-hex-digit hash of the target, so
 * the folder may be up to this long.
 */
export const MAX_CONTROL_DIR = 107 - 1 - 16 - 17;

/** The control socket of one target under `dir` (see MAX_CONTROL_DIR). */
export function controlPath(dir: string, target: string): string {
  if (Buffer.byteLength(dir) > MAX_CONTROL_DIR)
    throw new OrchError(
      ErrorCode.invalid_input,
      `ssh control folder ${dir} is longer than ${MAX_CONTROL_DIR} bytes: its sockets would not fit a unix socket path`,
      { dir },
    );
  return join(dir, createHash('sha256').update(target).digest('hex').slice(0, 16));
}

/** One word for a POSIX shell: always single-quoted, embedded quotes closed, escaped and reopened. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The remote command line for `argv`. sshd runs it with the user's login shell (`$SHELL -c`), so
 * every argument is quoted and none is interpreted, whatever it contains.
 */
export function remoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new OrchError(ErrorCode.invalid_input, 'remote command is empty');
  return argv.map(shellQuote).join(' ');
}
