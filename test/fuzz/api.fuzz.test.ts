/**
 * Property tests for hostile input on every API route (issue 7 §3), in process through `app.request`:
 * thousands of generated requests against a project with real units and chunk documents. Never a 5xx,
 * every error is `{error: {code, message}}`, and a rejected request (or any GET) changes nothing.
 * Seed and size: VE_FUZZ_SEED, VE_FUZZ_RUNS; fast-check prints the seed and the shrunk case on failure.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Hono } from 'hono';
import { createApp } from '../../src/api/app.js';
import { MAX_BODY_BYTES } from '../../src/api/body.js';
import { Broadcaster } from '../../src/api/ws.js';
import { isChunkName } from '../../src/domain/chunk-name.js';
import { ErrorCode } from '../../src/domain/errors.js';
import { makeOrchestrator } from '../support/orchestrator-harness.js';
import { type GeneratedRequest, requestArbitrary } from './api-requests.js';

const SEED = Number(process.env.VE_FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.VE_FUZZ_RUNS ?? 2000);
const UNITS = ['alpha', 'beta', 'gamma', 'delta'];
const CHUNKS_ONLY = ['epsilon', 'zeta', 'eta', 'old', 'broken', 'future'];
const ERROR_CODES = new Set<string>(Object.values(ErrorCode));
const TOKEN = 'fuzz-token-0123456789abcdefghijklmnopqrstuv';
const PORT = 4747;

type Orchestrator = Awaited<ReturnType<typeof makeOrchestrator>>;
let o: Orchestrator;
let socketApp: Hono;
let tcpApp: Hono;

before(async () => {
  o = await makeOrchestrator({
    chunks: {
      alpha: {},
      beta: {},
      gamma: {},
      delta: { depends_on: ['alpha'] },
      epsilon: {},
      zeta: {},
      eta: { depends_on: ['beta'] },
      old: { status: 'HISTORICAL' },
      future: { status: 'FUTURE', plan: '' },
    },
  });
  const broken = join(o.root, 'docs', 'chunks', 'broken');
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'GOAL.md'), '---\nstatus: [unclosed\ndepends_on: {\n---\n# Goal\n');
  await o.services.inject({ chunks: ['alpha', 'beta', 'gamma', 'delta'] });
  await o.services.forceStatus('gamma', { status: 'NEEDS_ATTENTION', reason: 'fuzz fixture' });
  // as in the daemon, the landing train listens from the start (a unit forced to VERIFYING moves on at
  // once); its first view would otherwise take a step inside whichever GET asked for it first
  await o.parts.train.start();
  await o.parts.train.idle();
  const broadcaster = new Broadcaster(o.services);
  socketApp = createApp({ services: o.services, broadcaster });
  tcpApp = createApp({ services: o.services, broadcaster, tcp: { token: TOKEN, port: () => PORT } });
});

after(async () => {
  await o.parts.train.stop();
  o.parts.store.close();
  rmSync(o.root, { recursive: true, force: true });
});

/** Everything a request could change: units, audit trails, config, conflicts and the project's files. */
async function snapshot(): Promise<string> {
  const s = o.parts.store;
  const units = await s.list();
  const names = [...new Set([...UNITS, ...CHUNKS_ONLY, ...units.map((u) => u.chunk as string)])].sort();
  const perChunk = await Promise.all(
    names.map(async (n) => ({ n, history: await s.history(n), runs: await s.phaseRuns(n) })),
  );
  return JSON.stringify({
    units,
    perChunk,
    attention: await s.attentionLog(),
    config: await s.getConfig(),
    conflicts: await s.listConflicts(),
    files: fileTree(o.root),
  });
}

/** path → size and nanosecond mtime: any write shows, without reading every file on every request */
function fileTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p, { bigint: true });
      if (st.isDirectory()) walk(p);
      else out[relative(root, p)] = `${st.size}:${st.mtimeNs}`;
    }
  };
  walk(root);
  return out;
}

function send(app: Hono, r: GeneratedRequest, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(r.url, {
      method: r.method,
      headers,
      ...(r.body !== undefined ? { body: r.body } : {}),
    }),
  );
}

/** Reads the answer and checks the shape every answer must have; returns the status and parsed body. */
async function readAnswer(res: Response, what: string): Promise<{ status: number; body: unknown }> {
  const text = await res.text();
  assert.ok(res.status < 500, `${what} → ${res.status} ${text.slice(0, 300)}`);
  assert.equal(res.headers.get('access-control-allow-origin'), null, `${what}: CORS header sent`);
  if (res.status === 303) return { status: res.status, body: null };
  if (res.headers.get('content-type')?.includes('text/html')) {
    // only the TCP listener's login page answers HTML
    assert.ok(res.status === 401 && /^GET \/(\?|\s)/.test(what), `${what}: HTML answer ${res.status}`);
    return { status: res.status, body: null };
  }
  const body = JSON.parse(text) as unknown;
  if (res.status >= 400) {
    const err = (body as { error?: { code?: unknown; message?: unknown } }).error;
    assert.ok(err && typeof err === 'object', `${what}: error body ${text.slice(0, 200)}`);
    assert.ok(typeof err.code === 'string' && ERROR_CODES.has(err.code), `${what}: code ${String(err.code)}`);
    assert.ok(typeof err.message === 'string' && err.message.length > 0, `${what}: message`);
  }
  return { status: res.status, body };
}

const describeRequest = (r: GeneratedRequest) =>
  `${r.method} ${r.url.slice(0, 200)} body(${r.bodyBytes}B)=${(r.body ?? '').slice(0, 120)}`;

function hostileNamesIn(r: GeneratedRequest): unknown[] {
  const named: unknown[] = [];
  if (r.route.includes(':chunk') && r.encoding === 'encoded' && !isChunkName(r.slot)) named.push(r.slot);
  for (const n of r.bodyNames) if (typeof n === 'string' && !isChunkName(n)) named.push(n);
  // the list's keyset anchor is a name too (the first value is the one read)
  const anchor = r.url.startsWith('/api/work-units?')
    ? new URL(r.url, 'http://x').searchParams.get('after')
    : null;
  if (anchor !== null && !isChunkName(anchor)) named.push(anchor);
  return named;
}

const params = () => ({ seed: SEED, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true });

describe('API fuzz: generated requests to every route', () => {
  it(`never answers 5xx, keeps the error shape, and rejected requests change nothing (seed ${SEED})`, async () => {
    const seen = new Map<number, number>();
    let before = await snapshot(); // re-read only after a request that was allowed to change state
    await fc.assert(
      fc.asyncProperty(requestArbitrary({ units: UNITS, chunksOnly: CHUNKS_ONLY }), async (r) => {
        const what = describeRequest(r);
        const { status } = await readAnswer(await send(socketApp, r), what);
        seen.set(status, (seen.get(status) ?? 0) + 1);
        assert.equal(({} as Record<string, unknown>).polluted, undefined, `${what}: prototype polluted`);
        if (r.url.startsWith('/api/') && r.bodyBytes > MAX_BODY_BYTES) assert.equal(status, 413, what);
        if (r.bodyBytes === MAX_BODY_BYTES) assert.notEqual(status, 413, `${what}: at the limit`);
        const hostile = hostileNamesIn(r);
        if (hostile.length > 0) assert.ok(status >= 400, `${what}: accepted ${JSON.stringify(hostile)}`);
        // an accepted request may start the landing train (a retried VERIFY item, a land): let it finish,
        // or its writes would be blamed on the next request
        if (status < 400 && r.method !== 'GET') await o.parts.train.idle();
        const now = await snapshot();
        if ((status >= 400 || r.method === 'GET') && now !== before) {
          assert.deepEqual(JSON.parse(now), JSON.parse(before), `${what} → ${status} changed state`);
          assert.fail(`${what} → ${status} changed state (key order)`);
        }
        before = now;
      }),
      params(),
    );
    // the run must have reached the routes' logic, not only their validation
    for (const s of [200, 201, 400, 404, 409, 413])
      assert.ok((seen.get(s) ?? 0) > 0, `no ${s} in ${[...seen]}`);
  });
});

describe('API fuzz: the TCP guard', () => {
  const ALLOWED = [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`];
  const host = fc.constantFrom(
    ...ALLOWED,
    `127.0.0.1:${PORT + 1}`,
    `evil.example:${PORT}`,
    `127.0.0.1.nip.io:${PORT}`,
    `LOCALHOST:${PORT}`,
    `127.0.0.1:${PORT}.evil.example`,
    `127.0.0.1:${PORT}@evil.example`,
    '127.0.0.1',
    'localhost',
    '',
    undefined,
  );
  const origin = fc.constantFrom(
    undefined,
    ...ALLOWED.map((h) => `http://${h}`),
    'http://evil.example',
    'null',
    `https://127.0.0.1:${PORT}`,
    `http://127.0.0.1:${PORT}.evil.example`,
    `http://127.0.0.1:${PORT + 1}`,
    `127.0.0.1:${PORT}`,
    `http://user@127.0.0.1:${PORT}`,
    '',
  );
  const auth = fc.constantFrom(
    undefined,
    `Bearer ${TOKEN}`,
    'Bearer wrong',
    `bearer ${TOKEN}`,
    `Bearer ${TOKEN} `,
    `Bearer ${TOKEN}x`,
    `Bearer ${TOKEN.slice(0, -1)}`,
    `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
    'Bearer ',
  );
  const cookie = fc.constantFrom(
    undefined,
    `ve_token=${TOKEN}`,
    've_token=wrong',
    `other=1; ve_token=${TOKEN}`,
    `ve_token=${TOKEN.toUpperCase()}`,
  );
  const fetchSite = fc.constantFrom(undefined, 'same-origin', 'cross-site', 'none', 'same-site');
  const upgrade = fc.constantFrom(undefined, 'websocket');

  it(`refuses foreign hosts, cross-origin writes and missing tokens, and changes nothing (seed ${SEED})`, async () => {
    const arb = fc.record({
      r: requestArbitrary({ units: UNITS, chunksOnly: CHUNKS_ONLY }),
      host,
      origin,
      auth,
      cookie,
      fetchSite,
      upgrade,
    });
    let before = await snapshot();
    await fc.assert(
      fc.asyncProperty(arb, async ({ r, ...h }) => {
        const headers: Record<string, string> = {};
        if (h.host !== undefined) headers.host = h.host;
        if (h.origin !== undefined) headers.origin = h.origin;
        if (h.auth !== undefined) headers.authorization = h.auth;
        if (h.cookie !== undefined) headers.cookie = h.cookie;
        if (h.fetchSite !== undefined) headers['sec-fetch-site'] = h.fetchSite;
        if (h.upgrade !== undefined) headers.upgrade = h.upgrade;
        const what = `${describeRequest(r)} ${JSON.stringify(headers)}`;
        const { status, body } = await readAnswer(await send(tcpApp, r, headers), what);

        const sameHost = h.host !== undefined && ALLOWED.includes(h.host);
        const sensitive = r.method !== 'GET' || h.upgrade === 'websocket';
        const originOk = h.origin === undefined || ALLOWED.some((a) => h.origin === `http://${a}`);
        // fetch trims header values, as HTTP does
        const bearer = /^Bearer (.+)$/.exec(h.auth?.trim() ?? '')?.[1];
        const cookieToken = /(?:^|; )ve_token=([^;]*)/.exec(h.cookie ?? '')?.[1];
        const tokenOk = (bearer ?? cookieToken) === TOKEN;
        const expected = !sameHost
          ? 403
          : sensitive && (!originOk || h.fetchSite === 'cross-site')
            ? 403
            : !tokenOk
              ? 401
              : null;
        const now = await snapshot();
        if (expected !== null) {
          assert.equal(status, expected, what);
          const code = body === null ? 'unauthorized' : (body as { error: { code: string } }).error.code;
          assert.equal(code, expected === 403 ? 'forbidden' : 'unauthorized', what);
          assert.equal(now, before, `${what}: refused but changed state`);
        } else {
          assert.ok(status !== 401 && status !== 403, `${what}: a good request was refused (${status})`);
        }
        before = now;
      }),
      { ...params(), numRuns: Math.ceil(RUNS / 2) },
    );
  });
});
