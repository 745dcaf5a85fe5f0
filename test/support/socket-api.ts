/** Minimal JSON client for a daemon's unix socket, for process-level tests. */
import { request } from 'node:http';
import { join } from 'node:path';

export function socketApi(root: string) {
  const call = <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          socketPath: join(root, '.ve', 'orchestrator.sock'),
          path,
          method,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {},
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return {
    call,
    get: async <T>(path: string): Promise<T> => (await call<T>('GET', path)).body,
    /** polls (every 100 ms) until `predicate` holds for the result of GET `path`; rejects after `timeoutMs` */
    waitFor: async <T>(path: string, predicate: (body: T) => boolean, timeoutMs = 120_000): Promise<T> => {
      const until = Date.now() + timeoutMs;
      let last: T | undefined;
      while (Date.now() < until) {
        try {
          last = (await call<T>('GET', path)).body;
          if (predicate(last)) return last;
        } catch {
          // the daemon may be restarting
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting on ${path}; last answer: ${JSON.stringify(last).slice(0, 2000)}`);
    },
  };
}
