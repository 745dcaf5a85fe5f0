/**
 * HTTP client for the daemon's REST API over its unix socket (docs/api.md). Connection failures
 * become a `not_running` error; API error bodies become OrchErrors carrying the server's code and
 * message. Nothing else in the CLI speaks HTTP.
 */
import { request } from 'node:http';
import type { ErrorBody } from '../api/dto.js';
import { ErrorCode, OrchError } from '../domain/errors.js';

export const NOT_RUNNING_MESSAGE = 'the orchestrator daemon is not running. Start it with: ve orch start';
const DEFAULT_TIMEOUT_MS = 30_000;
/** errno codes that mean "nobody is listening on that socket" */
const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export class DaemonClient {
  constructor(
    private readonly socketPath: string,
    private readonly timeoutMs: number = DEFAULT_TIMEOUT_MS,
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.send<T>('GET', withQuery(path, query));
  }
  post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.send<T>('POST', withQuery(path, query), body ?? {});
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', path, body);
  }
  delete<T>(path: string, query?: Query): Promise<T> {
    return this.send<T>('DELETE', withQuery(path, query));
  }

  send<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<T>((resolvePromise, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path,
          method,
          headers: {
            host: 'localhost',
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(connectionError(e)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            try {
              if (status >= 400) reject(apiError(status, text));
              else resolvePromise((text.length > 0 ? JSON.parse(text) : undefined) as T);
            } catch (e) {
              reject(
                new OrchError(
                  ErrorCode.internal,
                  `the daemon sent a response that is not JSON (HTTP ${status})`,
                  {
                    status,
                  },
                  { cause: e },
                ),
              );
            }
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(
          new OrchError(
            ErrorCode.internal,
            `the daemon did not answer ${method} ${path} within ${Math.round(this.timeoutMs / 1000)} s`,
            { timeout_ms: this.timeoutMs },
          ),
        );
      });
      req.on('error', (e) => reject(connectionError(e)));
      req.end(payload);
    });
  }
}

/** Path with a query string of the defined values. */
export function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** `/api/work-units/<chunk>...` with the chunk encoded (names are validated before this anyway). */
export function unitPath(chunk: string, suffix = ''): string {
  return `/api/work-units/${encodeURIComponent(chunk)}${suffix}`;
}

export function apiError(status: number, text: string): OrchError {
  let body: Partial<ErrorBody> | null = null;
  try {
    body = JSON.parse(text) as Partial<ErrorBody>;
  } catch {
    // not JSON: reported below with the HTTP status
    body = null;
  }
  const err = body?.error;
  if (err && typeof err.message === 'string') {
    const code = (Object.values(ErrorCode) as string[]).includes(err.code)
      ? (err.code as ErrorCode)
      : ErrorCode.internal;
    return new OrchError(code, err.message, { status, ...(err.details ?? {}) });
  }
  const snippet = text.trim().slice(0, 200);
  return new OrchError(
    ErrorCode.internal,
    `the daemon answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`,
    {
      status,
    },
  );
}

/** The daemon took the request but did not answer in time (it is there, and busy). */
export function isAnswerTimeout(e: unknown): boolean {
  return e instanceof OrchError && e.details?.timeout_ms !== undefined;
}

function connectionError(e: Error): OrchError {
  if (e instanceof OrchError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (NOT_LISTENING.has(code))
    return new OrchError(ErrorCode.not_running, NOT_RUNNING_MESSAGE, { errno: code });
  return new OrchError(
    ErrorCode.internal,
    `cannot reach the daemon: ${e.message}`,
    { errno: code },
    { cause: e },
  );
}
