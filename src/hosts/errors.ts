/**
 * How a host operation fails. The split that matters to a caller: the host could not be reached (the
 * unit waits for its host; nothing counts against the agent) versus the remote command ran and
 * failed (an ordinary failure of that command), versus a fenced-off lease (a stale host must not
 * touch the unit again; domain/errors.ts `StaleLeaseError`).
 */
import { HostUnreachableError } from '../domain/errors.js';

export { StaleLeaseError } from '../domain/errors.js';

/** ssh could not reach the host or lost it mid-command: ssh's own failure, exit status 255. */
export class SshConnectionError extends HostUnreachableError {
  override readonly name = 'SshConnectionError';
}

/** The remote command ran and exited non-zero. */
export class RemoteCommandError extends Error {
  override readonly name = 'RemoteCommandError';
  constructor(
    readonly host: string,
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`on host ${host}: ${argv.slice(0, 4).join(' ')} exited ${exitCode}: ${firstLine(stderr)}`);
  }
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}
