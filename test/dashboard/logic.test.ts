/**
 * The dashboard's pure logic, run in Node on the browser modules themselves (they import only
 * npm packages, which resolve from node_modules): live-state reduction, diff parsing, the timeline
 * story, conflict details and labels. The Markdown renderer has its own file (markdown.test.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { AttentionItemDto, HistoryDto, HostDto, WsMessage } from '../../src/api/dto.js';
import type { ConflictAnalysis } from '../../src/domain/conflict.js';
import type { WorkUnit } from '../../src/domain/work-unit.js';
import { aWorkUnit } from '../builders.js';
import { repoRoot } from '../support/agent-fixtures.js';

interface LiveState {
  connection: string;
  synced: boolean;
  units: Map<string, WorkUnit>;
  since: Map<string, number>;
  attention: AttentionItemDto[];
  conflicts: Map<string, ConflictAnalysis>;
  conflictsRevision: number;
  clockOffset: number;
  doneTotal: number;
  doneCost: number;
  doneNextAfter: string | null;
  epoch: number;
}
type Read = { epoch: number; doneNextAfter?: string | null };

const load = async <T>(file: string): Promise<T> =>
  import(pathToFileURL(join(repoRoot(), 'src', 'dashboard', file)).href) as Promise<T>;

const live = await load<{
  emptyState(): LiveState;
  applyMessage(s: LiveState, m: WsMessage, now: number): LiveState;
  totals(s: LiveState): { counts: Record<string, number>; total: number; cost: number };
  mergeUnits(s: LiveState, list: WorkUnit[], read: Read): LiveState;
}>('live.js');
const diff = await load<{
  parseDiff(
    d: string,
  ): { path: string; added: number; removed: number; uncommitted: boolean; lines: string[] }[];
}>('diff-view.js');
const timeline = await load<{
  timelineEntries(h: HistoryDto): { at: string; title: string; detail?: string }[];
}>('timeline.js');
const inbox = await load<{
  conflictDetail(
    i: AttentionItemDto,
    h: HistoryDto,
    a: ConflictAnalysis[],
  ): { others: string[]; files: string[]; notes: string[] };
  withoutCliHint(r: string): string;
}>('inbox.js');
const hosts = await load<{
  hostLabel(u: Pick<WorkUnit, 'host' | 'status'>, hosts: readonly HostDto[]): string;
}>('hosts.js');
const format = await load<{ duration(ms: number): string; money(usd: number): string }>('format.js');
const logView = await load<{ toolSummary(name: string, input: unknown, description?: string): string }>(
  'log-view.js',
);

const unit = (chunk: string, fields: Partial<WorkUnit> = {}) =>
  aWorkUnit({ chunk, updated_at: '2026-01-01T10:00:00.000Z', ...fields });
const status = (done: number, cost: number) =>
  ({
    started_at: '2026-01-01T10:00:00.000Z',
    uptime_seconds: 60,
    counts: { DONE: done },
    total_cost_usd: cost,
  }) as never;
/** a snapshot of `units`, the server counting `done` DONE units and `cost` USD in all */
const snapshot = (units: WorkUnit[], done = 0, cost = 0, doneNextAfter: string | null = null): WsMessage => ({
  type: 'snapshot',
  data: {
    work_units: units,
    done_next_after: doneNextAfter,
    attention: [],
    config: { max_agents: 2 } as never,
    status: status(done, cost),
    train: { entries: [] } as never,
    hosts: [],
  },
});

describe('dashboard live state', () => {
  it('a snapshot replaces everything and sets the server clock offset', () => {
    const s = live.applyMessage(
      live.emptyState(),
      snapshot([unit('a'), unit('b')]),
      Date.parse('2026-01-01T10:00:30.000Z'),
    );
    assert.equal(s.synced, true);
    assert.deepEqual([...s.units.keys()], ['a', 'b']);
    assert.equal(s.clockOffset, 30_000, 'server says 10:01:00 while the browser says 10:00:30');
    const again = live.applyMessage(s, snapshot([unit('b')]), 0);
    assert.deepEqual([...again.units.keys()], ['b'], 'a resync drops units deleted while disconnected');
  });

  it('a unit message changes one entry and restarts its clock only when status or phase changes', () => {
    const s0 = live.applyMessage(live.emptyState(), snapshot([unit('a'), unit('b')]), 0);
    const prio = live.applyMessage(
      s0,
      { type: 'unit', data: unit('a', { priority: 5, updated_at: '2026-01-01T10:05:00.000Z' }) },
      0,
    );
    assert.notEqual(prio.units, s0.units, 'a new map, so memoized views notice');
    assert.equal(prio.units.get('b'), s0.units.get('b'), 'the other unit keeps its identity');
    assert.equal(
      prio.since.get('a'),
      Date.parse('2026-01-01T10:00:00.000Z'),
      'a priority edit is not a new phase',
    );
    const moved = live.applyMessage(
      prio,
      { type: 'unit', data: unit('a', { status: 'RUNNING', updated_at: '2026-01-01T10:06:00.000Z' }) },
      0,
    );
    assert.equal(moved.since.get('a'), Date.parse('2026-01-01T10:06:00.000Z'));
    const gone = live.applyMessage(moved, { type: 'unit_deleted', data: { chunk: 'a' } }, 0);
    assert.deepEqual([...gone.units.keys()], ['b']);
  });

  it('counts DONE units and their cost from the server, the unfinished ones from the map', () => {
    // the store: 250 DONE units costing 100 in all; the page holds two of them and two unfinished units
    const held = [
      unit('r', { status: 'RUNNING', cost_usd: 2 }),
      unit('b', { status: 'BLOCKED', cost_usd: 0.5 }),
      unit('d1', { status: 'DONE', cost_usd: 1 }),
      unit('d2', { status: 'DONE', cost_usd: 3 }),
    ];
    const s = live.applyMessage(live.emptyState(), snapshot(held, 250, 102.5, 'd2'), 0);
    assert.deepEqual(live.totals(s), {
      counts: { RUNNING: 1, BLOCKED: 1, DONE: 250 },
      total: 252,
      cost: 102.5,
    });
    assert.equal(s.doneNextAfter, 'd2');
    // a held unit finishing moves the figures at once
    const finished = live.applyMessage(
      s,
      { type: 'unit', data: { ...(held[0] as WorkUnit), status: 'DONE' } },
      0,
    );
    assert.deepEqual(live.totals(finished), { counts: { BLOCKED: 1, DONE: 251 }, total: 252, cost: 102.5 });
    // one not held (an old DONE unit reopened) changes nothing until the server's status says so
    const reopened = unit('d0', { status: 'READY', cost_usd: 4 });
    const waiting = live.applyMessage(finished, { type: 'unit', data: reopened }, 0);
    assert.equal(live.totals(waiting).counts.DONE, 251);
    const told = live.applyMessage(waiting, { type: 'status', data: status(250, 102.5) }, 0);
    assert.deepEqual(live.totals(told), {
      counts: { BLOCKED: 1, READY: 1, DONE: 250 },
      total: 252,
      cost: 102.5,
    });
    const deleted = live.applyMessage(told, { type: 'unit_deleted', data: { chunk: 'd2' } }, 0);
    assert.deepEqual([live.totals(deleted).counts.DONE, live.totals(deleted).cost], [249, 99.5]);
  });

  it('merges units read over REST without replacing held ones, and drops a read from before a resync', () => {
    const s = live.applyMessage(live.emptyState(), snapshot([unit('a', { priority: 7 })], 300, 0, 'a'), 0);
    const page = [unit('a'), unit('old1', { status: 'DONE' }), unit('old2', { status: 'DONE' })];
    const merged = live.mergeUnits(s, page, { epoch: s.epoch, doneNextAfter: 'old2' });
    assert.deepEqual([...merged.units.keys()], ['a', 'old1', 'old2']);
    assert.equal(merged.units.get('a')?.priority, 7, 'the live copy wins');
    assert.equal(merged.doneNextAfter, 'old2');
    assert.equal(live.totals(merged).counts.DONE, 300, 'loading more does not count more');
    const last = live.mergeUnits(merged, [], { epoch: s.epoch, doneNextAfter: null });
    assert.equal(last.doneNextAfter, null);
    const one = live.mergeUnits(last, [unit('x', { status: 'DONE' })], { epoch: s.epoch });
    assert.equal(one.doneNextAfter, null, 'a single unit leaves the cursor alone');
    const resynced = live.applyMessage(merged, snapshot([unit('a')], 300, 0, 'a'), 0);
    assert.equal(resynced.epoch, s.epoch + 1);
    assert.equal(
      live.mergeUnits(resynced, page, { epoch: s.epoch }),
      resynced,
      'a stale read changes nothing',
    );
  });

  it('keeps conflicts by sorted pair and the attention list as the server ranked it', () => {
    const c = { chunk_a: 'a', chunk_b: 'b', verdict: 'ASK_OPERATOR' } as ConflictAnalysis;
    const s = live.applyMessage(live.emptyState(), { type: 'conflict', data: c }, 0);
    assert.equal(s.conflicts.get('a|b'), c);
    const d = { chunk_a: 'a', chunk_b: 'd', verdict: 'SERIALIZE' } as ConflictAnalysis;
    const both = live.applyMessage(s, { type: 'conflict', data: d }, 0);
    assert.equal(both.conflictsRevision, s.conflictsRevision + 1, 'open conflict forms read again');
    const gone = live.applyMessage(
      both,
      { type: 'conflicts_invalidated', data: { chunk: 'a', pairs: [['a', 'b']] } },
      0,
    );
    assert.deepEqual([...gone.conflicts.keys()], ['a|d'], 'exactly the dropped pairs leave');
    assert.equal(gone.conflictsRevision, both.conflictsRevision + 1);
    const items = [{ chunk: 'z' }, { chunk: 'y' }] as AttentionItemDto[];
    assert.deepEqual(
      live.applyMessage(s, { type: 'attention', data: { items } }, 0).attention.map((i) => i.chunk),
      ['z', 'y'],
    );
  });
});

describe('dashboard parsing', () => {
  it('splits a diff into files, counting lines and marking uncommitted work', () => {
    const text = [
      'diff --git a/src/a.ts b/src/a.ts',
      'index 1..2 100644',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -1,2 +1,2 @@',
      '-old',
      '+new',
      ' same',
      '# uncommitted changes in the worktree',
      'diff --git a/src/b.ts b/src/b.ts',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/src/b.ts',
      '@@ -0,0 +1 @@',
      '+x',
      '',
    ].join('\n');
    const files = diff.parseDiff(text);
    assert.deepEqual(
      files.map((f) => [f.path, f.added, f.removed, f.uncommitted]),
      [
        ['src/a.ts', 1, 1, false],
        ['src/b.ts', 1, 0, true],
      ],
    );
    assert.deepEqual(
      files[0]?.lines,
      ['@@ -1,2 +1,2 @@', '-old', '+new', ' same'],
      'headers and the marker line are not content',
    );
    assert.deepEqual(diff.parseDiff(''), []);
  });

  it('counts and keeps content lines that look like headers once a hunk has started', () => {
    const text = [
      'diff --git a/db/schema.sql b/db/schema.sql',
      'index 1..2 100644',
      '--- a/db/schema.sql',
      '+++ b/db/schema.sql',
      '@@ -1,3 +1,3 @@',
      '--- the users table',
      '---- a dashed rule',
      ' CREATE TABLE users (id INTEGER);',
      '+++ y',
      '++ x',
      'diff --git a/notes.md b/notes.md',
      '--- a/notes.md',
      '+++ b/notes.md',
      '@@ -1 +1 @@',
      '--- old',
      '+++ new',
      '',
    ].join('\n');
    const files = diff.parseDiff(text);
    assert.deepEqual(
      files.map((f) => [f.path, f.added, f.removed]),
      [
        ['db/schema.sql', 2, 2],
        ['notes.md', 1, 1],
      ],
    );
    assert.deepEqual(files[0]?.lines, [
      '@@ -1,3 +1,3 @@',
      '--- the users table',
      '---- a dashed rule',
      ' CREATE TABLE users (id INTEGER);',
      '+++ y',
      '++ x',
    ]);
    assert.deepEqual(
      files[1]?.lines,
      ['@@ -1 +1 @@', '--- old', '+++ new'],
      'headers again for the next file',
    );
  });
});

describe('dashboard views of the audit log', () => {
  const history: HistoryDto = {
    chunk: 'a',
    history: [
      {
        id: 1,
        chunk: 'a',
        old_status: null,
        new_status: 'READY',
        phase: 'PLAN',
        event: 'create',
        reason: 'injected',
        source: 'api',
        forced: false,
        at: '2026-01-01T10:00:00.000Z',
      },
      {
        id: 2,
        chunk: 'a',
        old_status: 'READY',
        new_status: 'RUNNING',
        phase: 'PLAN',
        event: 'dispatch',
        reason: null,
        source: 'scheduler',
        forced: false,
        at: '2026-01-01T10:00:01.000Z',
      },
    ],
    attention: [
      {
        id: 1,
        chunk: 'a',
        kind: 'CONFLICT',
        question_id: null,
        phase: 'IMPLEMENT',
        raised: { reason: 'overlap', question: { other: 'b', files: ['src/api.ts'] } },
        answer: null,
        answered_by: null,
        raised_at: '2026-01-01T10:00:03.000Z',
        answered_at: null,
      },
    ],
    phase_runs: [
      {
        id: 1,
        chunk: 'a',
        phase: 'PLAN',
        started_at: '2026-01-01T10:00:01.000Z',
        ended_at: '2026-01-01T10:00:02.500Z',
        outcome: 'completed',
        session_id: 's',
        cost_usd: 0.25,
        tokens_in: 1,
        tokens_out: 1,
        error: null,
      },
    ],
  };

  it('tells the story in time order', () => {
    const entries = timeline.timelineEntries(history);
    assert.deepEqual(
      entries.map((e) => e.title),
      ['Created as Ready · Plan', 'Ready → Running · Plan', 'Plan run ended: completed', 'Conflict raised'],
    );
    assert.match(entries[2]?.detail ?? '', /1s, \$0\.25/);
  });

  it('names the other chunk and the files of a conflict item', () => {
    const item = {
      chunk: 'a',
      blocked_by: ['b', 'c'],
      reason: 'Possible conflict with b',
    } as AttentionItemDto;
    const analyses = [
      {
        chunk_a: 'a',
        chunk_b: 'b',
        verdict: 'ASK_OPERATOR',
        override: null,
        stage: 'PLAN',
        confidence: 0.5,
        reason: 'same file',
        overlapping_files: ['src/x.ts'],
        overlapping_symbols: [],
      },
      {
        chunk_a: 'a',
        chunk_b: 'c',
        verdict: 'SERIALIZE',
        override: null,
        stage: 'PLAN',
        confidence: 0.9,
        reason: 'same symbol',
        overlapping_files: ['src/c.ts'],
        overlapping_symbols: [],
      },
    ] as unknown as ConflictAnalysis[];
    const d = inbox.conflictDetail(item, history, analyses);
    assert.deepEqual(d.others, ['b'], 'c is a plain dependency wait, not a question');
    assert.deepEqual(d.files, ['src/api.ts', 'src/x.ts']);
    assert.deepEqual(d.notes, ['Oracle, from the plan stage: same file']);
    assert.equal(
      inbox.withoutCliHint('Overlap in x. Decide with: ve orch resolve a --with b parallelize|serialize'),
      'Overlap in x.',
    );
  });
});

describe('dashboard hosts', () => {
  const h1 = { name: 'h1', health: 'unreachable', slots_used: 0, slots_total: 2 } as HostDto;
  it('keeps the pool from the snapshot and each hosts message', () => {
    const s0 = live.applyMessage(live.emptyState(), snapshot([unit('a')]), 0) as LiveState & {
      hosts: HostDto[];
    };
    assert.deepEqual(s0.hosts, []);
    const s1 = live.applyMessage(s0, { type: 'hosts', data: { hosts: [h1] } }, 0) as LiveState & {
      hosts: HostDto[];
    };
    assert.deepEqual(s1.hosts, [h1]);
    assert.equal(s1.units, s0.units, 'units untouched');
  });

  it('labels a unit with its host, and says when it waits for it', () => {
    assert.equal(hosts.hostLabel({ host: null, status: 'READY' }, [h1]), '');
    assert.equal(hosts.hostLabel({ host: 'local', status: 'RUNNING' }, [h1]), '');
    assert.equal(hosts.hostLabel({ host: 'h1', status: 'READY' }, [h1]), 'waiting for h1 (unreachable)');
    assert.equal(hosts.hostLabel({ host: 'h1', status: 'NEEDS_ATTENTION' }, [h1]), 'h1');
    assert.equal(hosts.hostLabel({ host: 'h9', status: 'READY' }, [h1]), 'h9 (removed)');
  });
});

describe('dashboard labels', () => {
  it('formats elapsed time, money and tool calls compactly', () => {
    assert.deepEqual([0, 59_999, 60_000, 3_600_000, 3_660_000, 90_000_000].map(format.duration), [
      '0s',
      '59s',
      '1m',
      '1h',
      '1h 1m',
      '1d 1h',
    ]);
    assert.deepEqual([0, 0.004, 1.234].map(format.money), ['$0', '<$0.01', '$1.23']);
    assert.equal(logView.toolSummary('Bash', { command: 'npm test\nmore' }), 'npm test');
    assert.equal(logView.toolSummary('Write', { file_path: 'src/a.ts', content: 'x' }), 'src/a.ts');
    assert.equal(logView.toolSummary('AskUserQuestion', { questions: [] }), 'asks you a question');
  });
});
