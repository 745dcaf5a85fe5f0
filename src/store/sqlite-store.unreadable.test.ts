import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { aWorkUnit } from '../../test/builders.js';
import { ManualClock } from '../../test/fakes/manual-clock.js';
import { InProcessEventBus } from '../infra/event-bus.js';
import { createJsonLogger } from '../infra/json-logger.js';
import type { ChangeEvent } from '../ports/events.js';
import { SqliteStore } from './sqlite-store.js';

/** A store on a file, a second connection to corrupt its rows with, and the log lines it wrote. */
function storeOnFile() {
  const path = join(mkdtempSync(join(tmpdir(), 've-store-')), 'o.db');
  const lines: Record<string, unknown>[] = [];
  const log = createJsonLogger((l) => lines.push(JSON.parse(l)), { level: 'debug' });
  const events: ChangeEvent[] = [];
  const bus = new InProcessEventBus((e) => {
    throw e;
  });
  bus.subscribe((e) => events.push(e));
  const store = new SqliteStore({ path, bus, clock: new ManualClock(), log });
  const raw = new Database(path);
  const corrupt = (sql: string, ...params: unknown[]) => raw.prepare(sql).run(...params);
  return { store, lines, events, corrupt, raw };
}

const warnings = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => l.level === 'warn' || l.level === 'error');

describe('sqlite-store: stored values it cannot read', () => {
  it('holds a waiting unit whose dependency list is unreadable as an ERROR item, once, with the stored text', async () => {
    const { store, lines, events, corrupt } = storeOnFile();
    await store.create(aWorkUnit({ chunk: 'a', status: 'BLOCKED', blocked_by: ['x'] }), { source: 'api' });
    corrupt(`UPDATE work_units SET blocked_by = '["x", broken' WHERE chunk = 'a'`);
    events.length = 0;

    const held = await store.get('a');
    assert.equal(held?.status, 'NEEDS_ATTENTION', 'never read on as a unit with no dependencies');
    assert.equal(held?.attention_kind, 'ERROR');
    assert.match(held?.attention_reason ?? '', /dependency list \(blocked_by\)/);
    assert.match(held?.attention_reason ?? '', /\["x", broken/, 'the stored text is kept in the reason');
    assert.match(held?.attention_reason ?? '', /ve orch block a --on/);
    assert.match(held?.attention_reason ?? '', /ve orch retry a/);

    // the hold is a real, audited transition: history, attention log, counts and the bus agree
    const last = (await store.history('a')).at(-1);
    assert.deepEqual(
      [last?.old_status, last?.new_status, last?.event, last?.source],
      ['BLOCKED', 'NEEDS_ATTENTION', 'attend', 'recovery'],
    );
    const raised = (await store.attentionLog('a')).at(-1);
    assert.equal(raised?.kind, 'ERROR');
    assert.match(JSON.stringify(raised?.raised), /broken/);
    assert.deepEqual((await store.totals()).counts, { NEEDS_ATTENTION: 1 });
    assert.deepEqual(
      events.map((e) => e.type === 'unit_changed' && [e.unit.chunk, e.unit.status]),
      [['a', 'NEEDS_ATTENTION']],
    );

    // read again and again: held once, logged once
    for (let i = 0; i < 3; i++) await store.list({ active: true });
    assert.equal((await store.get('a'))?.version, held?.version);
    const logged = warnings(lines);
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.equal(logged[0]?.chunk, 'a');
    assert.equal(logged[0]?.column, 'blocked_by');
  });

  it('treats a dependency list of the wrong shape as unreadable too, and finds it through list', async () => {
    const { store, corrupt } = storeOnFile();
    await store.create(aWorkUnit({ chunk: 'a', status: 'READY' }), { source: 'api' });
    corrupt(`UPDATE work_units SET blocked_by = '{"x": 1}' WHERE chunk = 'a'`);
    const [unit] = await store.list({ active: true });
    assert.equal(unit?.status, 'NEEDS_ATTENTION');
    assert.equal(unit?.attention_kind, 'ERROR');
  });

  it('holds a question item whose question is unreadable, so no answer goes to a question nobody can see', async () => {
    const { store, corrupt } = storeOnFile();
    await store.create(aWorkUnit({ chunk: 'q', status: 'RUNNING' }), { source: 'api' });
    await store.transition(
      'q',
      {
        type: 'attend',
        kind: 'QUESTION',
        reason: 'asks',
        question: { id: 'q1', phase: 'PLAN', questions: [], asked_at: '2026-01-01T00:00:00.000Z' },
      },
      { source: 'runner' },
    );
    corrupt(`UPDATE work_units SET question = 'nope' WHERE chunk = 'q'`);
    const unit = await store.get('q');
    assert.equal(unit?.attention_kind, 'ERROR');
    assert.match(unit?.attention_reason ?? '', /pending question \(question\)/);
    assert.equal(unit?.question, null);
  });

  it('reads a finished or running unit on, logging the unreadable value once', async () => {
    const { store, lines, corrupt } = storeOnFile();
    await store.createMany(
      [aWorkUnit({ chunk: 'd', status: 'DONE' }), aWorkUnit({ chunk: 'r', status: 'RUNNING' })],
      { source: 'api' },
    );
    corrupt(`UPDATE work_units SET blocked_by = 'garbage'`);
    for (let i = 0; i < 3; i++) await store.list();
    // a finished unit needs no dependencies, and dispatch cleared a running one's
    assert.equal((await store.get('d'))?.status, 'DONE');
    assert.equal((await store.get('r'))?.status, 'RUNNING');
    assert.deepEqual(
      warnings(lines)
        .map((l) => l.chunk)
        .sort(),
      ['d', 'r'],
    );
  });

  it('logs an unreadable conflict file list once and reads it as empty', async () => {
    const { store, lines, corrupt } = storeOnFile();
    await store.setConflictOverride('a', 'b', 'SERIALIZE');
    corrupt(`UPDATE conflict_analyses SET overlapping_files = '[oops'`);
    for (let i = 0; i < 3; i++) await store.listConflicts();
    assert.deepEqual((await store.getConflict('a', 'b'))?.overlapping_files, []);
    assert.equal(warnings(lines).length, 1);
    assert.equal(warnings(lines)[0]?.column, 'overlapping_files');
  });
});

describe('sqlite-store: config values it cannot read', () => {
  it('keeps the default for each unreadable value only, warns once per value, and clears when set again', async () => {
    const { store, lines, corrupt } = storeOnFile();
    await store.patchConfig({ max_turns: 7, max_agents: 3 });
    corrupt(`UPDATE config SET value = '"many"' WHERE key = 'max_agents'`);
    corrupt(`INSERT INTO config (key, value) VALUES ('model', '{not json')`);

    for (let i = 0; i < 3; i++) {
      const config = await store.getConfig();
      assert.equal(config.max_turns, 7, 'one bad value does not reset the others');
      assert.equal(config.max_agents, 2, 'the default');
      assert.equal(config.model, null);
    }
    const warned = store.configWarnings();
    assert.equal(warned.length, 2, warned.join('\n'));
    assert.match(warned.find((w) => w.includes('max_agents')) ?? '', /"many".*default 2.*--max-agents/);
    assert.match(warned.find((w) => w.includes('model')) ?? '', /\{not json.*not JSON/);
    assert.equal(warnings(lines).length, 2, 'once per value, not on every read');

    await store.patchConfig({ max_agents: 4 });
    assert.equal((await store.getConfig()).max_agents, 4);
    assert.deepEqual(
      store.configWarnings().map((w) => w.split(':')[0]),
      ['model'],
    );
  });
});
