import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isOrchError } from '../domain/errors.js';
import { apiError, DaemonClient, isAnswerTimeout, NOT_RUNNING_MESSAGE, withQuery } from './client.js';

describe('DaemonClient', () => {
  const dir = mkdtempSync(join(tmpdir(), 've-client-'));
  const socket = join(dir, 'orchestrator.sock');
  let server: Server;
  const seen: { method?: string; url?: string; body: string }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body });
        if (req.url === '/hang') return; // never answers
        if (req.url === '/api/work-units/nope') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'not_found', message: "work unit 'nope' not found" } }));
        } else if (req.url === '/html') {
          res.writeHead(502);
          res.end('<html>bad gateway</html>');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: true, echo: body ? JSON.parse(body) : null }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(socket, r));
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends JSON bodies and parses JSON answers over the socket', async () => {
    const res = await new DaemonClient(socket).post<{ ok: boolean; echo: unknown }>(
      '/api/x',
      { a: 1 },
      { p: 'Q' },
    );
    assert.deepEqual(res, { ok: true, echo: { a: 1 } });
    assert.equal(seen.at(-1)?.url, '/api/x?p=Q');
    assert.equal(seen.at(-1)?.method, 'POST');
  });

  it('turns an API error body into an OrchError with its code and message', async () => {
    await assert.rejects(new DaemonClient(socket).get('/api/work-units/nope'), (e) => {
      return (
        isOrchError(e, 'not_found') && e.message === "work unit 'nope' not found" && e.details?.status === 404
      );
    });
  });

  it('reports a non-JSON error with its HTTP status', async () => {
    await assert.rejects(new DaemonClient(socket).get('/html'), /HTTP 502: <html>bad gateway/);
  });

  it('says the daemon is not running when the socket is missing or dead', async () => {
    const missing = new DaemonClient(join(dir, 'missing.sock'));
    await assert.rejects(
      missing.get('/api/status'),
      (e) => isOrchError(e, 'not_running') && e.message === NOT_RUNNING_MESSAGE,
    );
    const stale = join(dir, 'stale.sock');
    writeFileSync(stale, '');
    await assert.rejects(new DaemonClient(stale).get('/api/status'), (e) => isOrchError(e, 'not_running'));
  });

  it('times out a request the daemon never answers', async () => {
    const timedOut = await new DaemonClient(socket, 200).get('/hang').catch((e: unknown) => e);
    assert.match(String(timedOut), /did not answer GET \/hang/);
    // `ve orch start` waits on through this (a busy daemon), not through anything else
    assert.equal(isAnswerTimeout(timedOut), true);
    const refused = await new DaemonClient(join(dir, 'none.sock')).get('/x').catch((e: unknown) => e);
    assert.equal(isAnswerTimeout(refused), false);
  });

  it('builds query strings from defined values only', () => {
    assert.equal(withQuery('/p', { a: undefined, b: 'x y', c: true }), '/p?b=x+y&c=true');
    assert.equal(withQuery('/p', {}), '/p');
    assert.equal(apiError(409, JSON.stringify({ error: { code: 'weird', message: 'm' } })).code, 'internal');
  });
});
