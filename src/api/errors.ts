/** The API's one error funnel: OrchError codes to HTTP statuses, zod issues to 400, the rest to a logged 500. */
import type { Context } from 'hono';
import { z } from 'zod';
import { type ErrorCode, OrchError } from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';

const STATUS: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 500 | 503> = {
  invalid_input: 400,
  invalid_name: 400,
  malformed_chunk: 400,
  not_found: 404,
  already_exists: 409,
  stale_write: 409,
  invalid_transition: 409,
  conflict: 409,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_running: 503,
  host_unreachable: 503,
  already_running: 409,
  git_failed: 500,
  internal: 500,
};

export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

export function toErrorResponse(c: Context, err: unknown, log: Logger): Response {
  if (err instanceof OrchError) {
    const status = STATUS[err.code] ?? 500;
    if (status >= 500) log.error('request failed', { path: c.req.path, code: err.code, error: err });
    return c.json(errorBody(err.code, err.message, err.details), status);
  }
  if (err instanceof z.ZodError) {
    return c.json(errorBody('invalid_input', describeZod(err)), 400);
  }
  log.error('unhandled error', { path: c.req.path, method: c.req.method, error: err });
  return c.json(errorBody('internal', 'internal error; see .ve/orchestrator.log'), 500);
}

export function describeZod(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}
