/**
 * How a host operation fails. The split that matters to a caller: the host could not be reached (the
 * unit waits for its host; nothing counts against the agent) versus the remote command ran and
 * failed (an ordinary failure of that command), versus a fenced-off lease (a stale host must not
 * touch the unit again).
 */

/** ssh could not reach the host or lost it mid-command: ssh's own failure, exit status 255. */
export class SshConnectionError extends Error {
  override readonly name = 'SshConnectionError';
  constructor(
    readonly host: string,
    /** ssh's last words (stderr), e.g. "Connection refused", "Host key verification failed" */
    readonly detail: string,
  ) {
    super(`host ${host} is unreachable over ssh: ${detail || 'connection failed'}`);
  }
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

/**
 * The host's record of a unit's lease does not match the one the caller holds: the unit was moved
 * (or moved back) since, so this host's copy is stale and nothing of it may be used.
 */
export class StaleLeaseError extends Error {
  override readonly name = 'StaleLeaseError';
  constructor(
    readonly host: string,
    readonly chunk: string,
    readonly expected: string,
    readonly found: string | null,
  ) {
    super(
      `host ${host} holds ${found ? `lease ${found}` : 'no lease'} for unit ${chunk}, not ${expected}: refusing its state`,
    );
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
