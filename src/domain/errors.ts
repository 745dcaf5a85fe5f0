/**
 * The error catalogue. Every failure that crosses a port is an OrchError with a code from this list;
 * api/errors.ts maps codes to HTTP statuses and cli/output.ts maps them to exit codes.
 */

export const ErrorCode = {
  invalid_input: 'invalid_input',
  invalid_name: 'invalid_name',
  not_found: 'not_found',
  already_exists: 'already_exists',
  stale_write: 'stale_write',
  invalid_transition: 'invalid_transition',
  conflict: 'conflict',
  payload_too_large: 'payload_too_large',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_running: 'not_running',
  already_running: 'already_running',
  git_failed: 'git_failed',
  malformed_chunk: 'malformed_chunk',
  /** a host of the pool could not be reached (the unit waits for it; nothing counts against the agent) */
  host_unreachable: 'host_unreachable',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class OrchError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OrchError';
    this.code = code;
    this.details = details;
  }
}

export class NotFoundError extends OrchError {
  constructor(kind: string, id: string) {
    super(ErrorCode.not_found, `${kind} '${id}' not found`, { kind, id });
  }
}

export class StaleWriteError extends OrchError {
  constructor(chunk: string, expectedVersion: number, actualVersion: number) {
    super(
      ErrorCode.stale_write,
      `work unit '${chunk}' was changed concurrently (expected version ${expectedVersion}, found ${actualVersion})`,
      { chunk, expectedVersion, actualVersion },
    );
  }
}

export class InvalidTransitionError extends OrchError {
  constructor(chunk: string, from: string, event: string, why?: string) {
    super(
      ErrorCode.invalid_transition,
      `work unit '${chunk}' cannot ${event} from ${from}${why ? `: ${why}` : ''}`,
      { chunk, from, event },
    );
  }
}

/** A host of the pool could not be reached, or was lost mid-operation (docs/hosts.md, "Failures"). */
export class HostUnreachableError extends OrchError {
  constructor(
    readonly host: string,
    /** what the transport said, e.g. "Connection refused" */
    readonly detail: string,
  ) {
    super(
      ErrorCode.host_unreachable,
      `host ${host} is unreachable over ssh: ${detail || 'connection failed'}`,
      {
        host,
        detail,
      },
    );
  }
}

/**
 * The host's record of a unit's lease does not match the one the caller holds: the unit was moved
 * (or moved back) since, so this copy is stale and nothing of it may be used.
 */
export class StaleLeaseError extends OrchError {
  constructor(
    readonly host: string,
    readonly chunk: string,
    readonly expected: string,
    readonly found: string | null,
  ) {
    super(
      ErrorCode.conflict,
      `host ${host} holds ${found ? `lease ${found}` : 'no lease'} for unit ${chunk}, not ${expected}: refusing its state`,
      { host, chunk, expected, found },
    );
  }
}

export function isOrchError(e: unknown, code?: ErrorCode): e is OrchError {
  return e instanceof OrchError && (code === undefined || e.code === code);
}
