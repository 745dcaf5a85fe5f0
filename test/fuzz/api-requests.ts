/**
 * Generated HTTP requests for every route of docs/api.md: hostile path names in three encodings, junk
 * query strings, and bodies that are valid, mutated, invalid JSON, empty or over the size limit.
 */
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../src/api/body.js';
import { PHASES, STATUSES } from '../../src/domain/work-unit.js';
import { edgeNumber, hostileName, junkBodyText, junkString, mutated } from './hostile-input.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Endpoint {
  method: Method;
  /** with `:chunk` where a name goes */
  path: string;
  query?: Record<string, fc.Arbitrary<string>>;
  /** a body of the right shape (values may still be wrong) */
  body?: fc.Arbitrary<Record<string, unknown>>;
  /** chunk names the body carries, to check that a hostile one is never accepted */
  namesIn?: (body: Record<string, unknown>) => unknown[];
}

export type Encoding = 'encoded' | 'raw' | 'double';

/** Plain data only, so that fast-check can print a counterexample readably. */
export interface GeneratedRequest {
  method: Method;
  /** the route as in the endpoint table, e.g. `/api/work-units/:chunk/priority` */
  route: string;
  /** chunk names found in the body, when the route takes names there */
  bodyNames: unknown[];
  /** the value put in the `:chunk` slot, before encoding */
  slot: string;
  encoding: Encoding;
  url: string;
  body: string | undefined;
  /** the body parsed, when it is JSON */
  parsed: unknown;
  bodyBytes: number;
}

/** Names that exist in the test project: units, chunks without units, and well-formed unknown names. */
export interface KnownNames {
  units: readonly string[];
  chunksOnly: readonly string[];
}

export function requestArbitrary(known: KnownNames): fc.Arbitrary<GeneratedRequest> {
  const realName = fc.constantFrom(...known.units, ...known.chunksOnly, 'nope', 'zz-unknown');
  const name = fc.oneof({ weight: 3, arbitrary: realName }, { weight: 2, arbitrary: hostileName });
  // inject mostly names chunks that have no unit yet, so that some batches succeed
  const fresh = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known.chunksOnly) },
    { weight: 1, arbitrary: name },
  );
  const endpoints = endpointTable(name, fresh);
  return fc.constantFrom(...endpoints).chain((endpoint) =>
    fc
      .record({
        slot: name,
        encoding: fc.constantFrom<Encoding>('encoded', 'encoded', 'raw', 'double'),
        query: queryString(endpoint),
        body: endpoint.method === 'GET' ? fc.constant(undefined) : bodyText(endpoint),
      })
      .map(({ slot, encoding, query, body }) => build(endpoint, slot, encoding, query, body))
      .filter((r): r is GeneratedRequest => r !== null),
  );
}

function endpointTable(name: fc.Arbitrary<string>, fresh: fc.Arbitrary<string>): Endpoint[] {
  const phase = fc.constantFrom(...PHASES);
  const status = fc.constantFrom(...STATUSES);
  const version = fc.integer({ min: 0, max: 30 });
  const bool = fc.constantFrom('true', 'false', '1', 'yes', '');
  const either = (good: fc.Arbitrary<string>) => fc.oneof(good, junkString);
  const s = (max: number) => fc.string({ maxLength: max });
  const table: Endpoint[] = [
    { method: 'GET', path: '/api/status' },
    {
      method: 'GET',
      path: '/api/work-units',
      query: {
        status: either(status),
        active: bool,
        limit: either(fc.constantFrom('1', '2', '10000', '0', '10001', '-1', '1.5')),
        after: name,
        order: either(fc.constantFrom('created', 'recent')),
      },
    },
    { method: 'GET', path: '/api/work-units/queue' },
    {
      method: 'POST',
      path: '/api/work-units/inject',
      body: fc.record(
        {
          chunks: fc.array(fresh, { minLength: 1, maxLength: 3 }),
          phase,
          priority: fc.integer({ min: -10, max: 10 }),
          retain: fc.boolean(),
        },
        { requiredKeys: ['chunks'] },
      ),
      namesIn: (b) => (Array.isArray(b.chunks) ? b.chunks : []),
    },
    { method: 'GET', path: '/api/work-units/:chunk' },
    { method: 'DELETE', path: '/api/work-units/:chunk', query: { force: bool } },
    { method: 'GET', path: '/api/work-units/:chunk/history' },
    {
      method: 'PATCH',
      path: '/api/work-units/:chunk/priority',
      body: fc.record(
        { priority: fc.oneof(fc.integer({ min: -100, max: 100 }), edgeNumber), expected_version: version },
        { requiredKeys: ['priority'] },
      ),
    },
    {
      method: 'PATCH',
      path: '/api/work-units/:chunk/status',
      body: fc.record(
        { status, phase, expected_version: version, reason: s(50) },
        { requiredKeys: ['status'] },
      ),
    },
    {
      method: 'POST',
      path: '/api/work-units/:chunk/answer',
      body: fc.record(
        {
          answer: s(50),
          option: fc.integer({ min: 0, max: 11 }),
          answers: fc.dictionary(s(20), s(20), { maxKeys: 3 }),
          question_id: s(20),
          answered_by: s(20),
        },
        { requiredKeys: [] },
      ),
    },
    { method: 'POST', path: '/api/work-units/:chunk/retry' },
    { method: 'GET', path: '/api/work-units/:chunk/plan' },
    {
      method: 'POST',
      path: '/api/work-units/:chunk/approve',
      body: fc.record({ approved_by: s(20) }, { requiredKeys: [] }),
    },
    { method: 'POST', path: '/api/work-units/retry-all', query: { phase: either(phase) } },
    {
      method: 'POST',
      path: '/api/work-units/:chunk/kill',
      body: fc.record({ to: fc.constantFrom('ready', 'attention') }, { requiredKeys: [] }),
    },
    {
      method: 'POST',
      path: '/api/work-units/:chunk/interrupt',
      body: fc.record({ guidance: s(50) }),
    },
    {
      method: 'POST',
      path: '/api/work-units/:chunk/block',
      body: fc.record({ blocked_by: fc.array(name, { maxLength: 3 }), reason: s(50) }, { requiredKeys: [] }),
      namesIn: (b) => (Array.isArray(b.blocked_by) ? b.blocked_by : []),
    },
    { method: 'POST', path: '/api/work-units/:chunk/unblock' },
    {
      method: 'POST',
      path: '/api/work-units/:chunk/resolve',
      body: fc.record({ other: name, verdict: fc.constantFrom('parallelize', 'serialize') }),
      namesIn: (b) => [b.other],
    },
    { method: 'GET', path: '/api/work-units/:chunk/log', query: { phase: either(phase) } },
    { method: 'GET', path: '/api/work-units/:chunk/diff' },
    { method: 'GET', path: '/api/attention' },
    { method: 'GET', path: '/api/config' },
    {
      method: 'PATCH',
      path: '/api/config',
      body: fc.record(
        {
          max_agents: fc.oneof(fc.integer({ min: 1, max: 4 }), edgeNumber),
          max_turns: fc.integer({ min: 0, max: 200 }),
          stall_timeout_seconds: fc.integer({ min: 0, max: 2000 }),
          model: fc.oneof(fc.constant(null), s(10)),
          live_conflict_action: fc.oneof(fc.constantFrom('attention', 'serialize'), s(10)),
          oracle_decide_threshold: fc.double({ min: 0, max: 1.5, noNaN: true }),
          notify_webhook: fc.constantFrom(
            null,
            'http://127.0.0.1:9/hook',
            'http://evil.example/hook',
            'file:///etc/passwd',
            'http://127.0.0.1.evil.example/',
          ),
          setup_command: fc.oneof(fc.constant(null), s(20)),
        },
        { requiredKeys: [] },
      ),
    },
    {
      method: 'GET',
      path: '/api/conflicts',
      query: { chunk: name, unresolved: bool },
    },
    {
      method: 'POST',
      path: '/api/conflicts/analyze',
      body: fc.record({ a: name, b: name }),
      namesIn: (b) => [b.a, b.b],
    },
    { method: 'GET', path: '/api/worktrees' },
    {
      method: 'DELETE',
      path: '/api/worktrees/:chunk',
      query: { force: bool, keep_branch: bool },
    },
    {
      method: 'POST',
      path: '/api/worktrees/prune',
      body: fc.record({ force: fc.boolean() }, { requiredKeys: [] }),
    },
    { method: 'GET', path: '/api/chunks' },
    { method: 'GET', path: '/api/chunks/:chunk' },
    // routes that do not exist, and verbs a route does not take
    { method: 'GET', path: '/api/nope/:chunk' },
    { method: 'PATCH', path: '/api/work-units/:chunk' },
    { method: 'GET', path: '/:chunk' },
  ];
  return table;
}

function queryString(endpoint: Endpoint): fc.Arbitrary<string> {
  const known = Object.entries(endpoint.query ?? {}).map(([key, value]) =>
    fc.option(value.map((v) => [key, v] as [string, string])),
  );
  const extra = fc.array(fc.tuple(junkString, junkString), { maxLength: 2 });
  const rawTail = fc.constantFrom(
    '',
    '',
    '',
    '&%%%',
    '&=&&',
    '&status',
    '&status=READY&status=DONE',
    '&a=%zz',
  );
  return fc.tuple(fc.tuple(...known), extra, rawTail).map(([pairs, more, tail]) => {
    const params = new URLSearchParams();
    for (const p of [...pairs, ...more]) if (p) params.append(p[0], p[1]);
    const text = params.toString() + tail;
    return text ? `?${text}` : '';
  });
}

function bodyText(endpoint: Endpoint): fc.Arbitrary<string | undefined> {
  const valid = endpoint.body ?? fc.constant({});
  return fc.oneof(
    { weight: 5, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 3, arbitrary: mutated(valid).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: junkBodyText },
    { weight: 1, arbitrary: fc.constantFrom(undefined, '', '   ') },
    { weight: 1, arbitrary: oversized(valid) },
  );
}

/** Bodies at the limit (allowed) and past it (413), in ASCII and in multi-byte text. */
function oversized(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.integer({ min: -2, max: 3 * MAX_BODY_BYTES }), fc.constantFrom(' ', '€'))
    .map(([v, extra, pad]) => {
      const base = JSON.stringify(v);
      const wanted = MAX_BODY_BYTES + extra;
      const missing = Math.max(0, wanted - Buffer.byteLength(base));
      const fill = pad.repeat(Math.ceil(missing / Buffer.byteLength(pad)));
      return pad === ' ' ? base + fill : `${base.slice(0, -1)}${base.length > 2 ? ',' : ''}"pad":"${fill}"}`;
    });
}

function encodeSlot(value: string, encoding: Encoding): string {
  // lone surrogates cannot be percent-encoded; a client would send U+FFFD
  const enc = (s: string) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\uFFFD'));
  if (encoding === 'encoded') return enc(value);
  if (encoding === 'double') return enc(enc(value));
  return value;
}

function build(
  endpoint: Endpoint,
  slot: string,
  encoding: Encoding,
  query: string,
  body: string | undefined,
): GeneratedRequest | null {
  const path = endpoint.path.replace(':chunk', encodeSlot(slot, encoding));
  let url: string;
  try {
    const u = new URL(`http://127.0.0.1${path}${query}`);
    url = u.pathname + u.search;
  } catch {
    return null; // not a URL any client could send
  }
  let parsed: unknown;
  try {
    parsed = body === undefined ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const names =
    endpoint.namesIn && parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? endpoint.namesIn(parsed as Record<string, unknown>)
      : [];
  return {
    method: endpoint.method,
    route: endpoint.path,
    bodyNames: names,
    slot,
    encoding,
    url,
    body,
    parsed,
    bodyBytes: body === undefined ? 0 : Buffer.byteLength(body),
  };
}
