import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BaseHealth,
  entryState,
  joinsChain,
  planTrain,
  type TrainEntryView,
  verdictOf,
} from './train.js';

const BASE = 'b0';

/** A train built the way the engine builds it: each chain member's spec is the next one's parent. */
function train(...specs: Partial<TrainEntryView>[]): TrainEntryView[] {
  let parent = BASE;
  const ahead: string[] = [];
  return specs.map((s, i) => {
    const chunk = s.chunk ?? `u${i + 1}`;
    const e: TrainEntryView = {
      chunk,
      spec: `s${i + 1}`,
      parent,
      ahead: [...ahead],
      conflictFiles: null,
      conflictsWithBase: false,
      contained: false,
      verdict: 'none',
      running: false,
      skipVerify: false,
      ...s,
    };
    if (joinsChain(e)) {
      parent = e.spec as string;
      ahead.push(chunk);
    }
    return e;
  });
}

const plan = (entries: TrainEntryView[], freeSlots = 4, baseHealth: BaseHealth = 'unknown') =>
  planTrain({ entries, baseTip: BASE, freeSlots, baseHealth });

describe('planTrain', () => {
  it('lands the head when its tree passed on the current base tip, and verifies the rest up to the free slots', () => {
    const entries = train({ verdict: 'passed' }, {}, {}, {}, {});
    assert.deepEqual(plan(entries, 2), [
      { kind: 'land', chunk: 'u1', commit: 's1', expectedBase: BASE, verified: true },
      { kind: 'verify', chunk: 'u2', spec: 's2' },
      { kind: 'verify', chunk: 'u3', spec: 's3' },
    ]);
  });

  it('builds each entry on the chain ahead of it', () => {
    const entries = train({}, {}, {});
    assert.deepEqual(
      entries.map((e) => [e.parent, e.ahead]),
      [
        [BASE, []],
        ['s1', ['u1']],
        ['s2', ['u1', 'u2']],
      ],
    );
  });

  it('never lands an entry that is not at the head, even when it passed', () => {
    const entries = train({ running: true }, { verdict: 'passed' }, { verdict: 'passed' });
    assert.deepEqual(plan(entries), []);
  });

  it('never lands a head built on another base tip', () => {
    const [head] = train({ verdict: 'passed' });
    assert.deepEqual(
      planTrain({
        entries: [{ ...(head as TrainEntryView), parent: 'old' }],
        baseTip: BASE,
        freeSlots: 1,
        baseHealth: 'passed',
      }),
      [],
    );
  });

  it('lands an operator override without verifying it', () => {
    const entries = train({ skipVerify: true }, {});
    assert.deepEqual(plan(entries, 0), [
      { kind: 'land', chunk: 'u1', commit: 's1', expectedBase: BASE, verified: false },
    ]);
  });

  it('does not blame a failure while an entry ahead of it in its tree has not passed', () => {
    const entries = train({ running: true }, { verdict: 'failed' }, {});
    // u2 left the chain, so u3 is built on u1 alone and verifies at once
    assert.equal(entries[2]?.parent, 's1');
    assert.deepEqual(plan(entries, 1, 'passed'), [{ kind: 'verify', chunk: 'u3', spec: 's3' }]);
  });

  it('checks the base tip itself before blaming anyone, then blames', () => {
    const entries = train({ verdict: 'passed' }, { verdict: 'failed' }, {});
    assert.deepEqual(plan(entries, 2, 'unknown'), [
      { kind: 'land', chunk: 'u1', commit: 's1', expectedBase: BASE, verified: true },
      { kind: 'check_base', commit: BASE },
      { kind: 'verify', chunk: 'u3', spec: 's3' },
    ]);
    assert.deepEqual(
      plan(entries, 2, 'running').filter((a) => a.kind !== 'verify' && a.kind !== 'land'),
      [],
    );
    assert.deepEqual(plan(entries, 0, 'passed')[1], { kind: 'blame', chunk: 'u2', spec: 's2' });
    assert.deepEqual(plan(entries, 0, 'failed')[1], { kind: 'base_broken', chunk: 'u2', spec: 's2' });
  });

  it('waits for a free slot before the base check', () => {
    const entries = train({ verdict: 'failed' });
    assert.deepEqual(plan(entries, 0, 'unknown'), []);
  });

  it('blames a failing head once base is known to pass', () => {
    assert.deepEqual(plan(train({ verdict: 'failed' }), 1, 'passed'), [
      { kind: 'blame', chunk: 'u1', spec: 's1' },
    ]);
  });

  it('re-runs a suspect tree (the flaky check), and the entries behind do not build on it meanwhile', () => {
    const entries = train({ verdict: 'suspect' }, {});
    assert.equal(entries[1]?.parent, BASE);
    assert.deepEqual(plan(entries, 2), [
      { kind: 'verify', chunk: 'u1', spec: 's1' },
      { kind: 'verify', chunk: 'u2', spec: 's2' },
    ]);
  });

  it('sends a conflicting head to rebase, and a later entry only when it conflicts with base itself', () => {
    const entries = train(
      { conflictFiles: ['a.ts'], spec: null },
      { conflictFiles: ['b.ts'], spec: null },
      { conflictFiles: ['c.ts'], conflictsWithBase: true, spec: null },
      {},
    );
    assert.deepEqual(plan(entries, 1), [
      { kind: 'rebase', chunk: 'u1', files: ['a.ts'] },
      { kind: 'rebase', chunk: 'u3', files: ['c.ts'] },
      { kind: 'verify', chunk: 'u4', spec: 's4' },
    ]);
    assert.equal(entries[3]?.parent, BASE, 'nothing that conflicts is in a later tree');
  });

  it('finishes an entry whose branch is already in base', () => {
    const entries = train({ contained: true, spec: BASE }, { contained: true, spec: BASE });
    assert.deepEqual(plan(entries), [
      { kind: 'finish', chunk: 'u1' },
      { kind: 'finish', chunk: 'u2' },
    ]);
  });
});

describe('verdictOf', () => {
  it('counts a pass after a failure as passed, and a failure as final only after the re-runs', () => {
    assert.equal(verdictOf({ passes: 0, fails: 0 }, 1), 'none');
    assert.equal(verdictOf({ passes: 0, fails: 1 }, 1), 'suspect');
    assert.equal(verdictOf({ passes: 0, fails: 2 }, 1), 'failed');
    assert.equal(verdictOf({ passes: 1, fails: 1 }, 1), 'passed');
    assert.equal(verdictOf({ passes: 0, fails: 1 }, 0), 'failed');
  });
});

describe('entryState', () => {
  it('reads each combination the way the train view shows it', () => {
    const [e] = train({});
    const base = e as TrainEntryView;
    assert.equal(entryState(base), 'waiting');
    assert.equal(entryState({ ...base, running: true }), 'verifying');
    assert.equal(entryState({ ...base, verdict: 'passed' }), 'passed');
    assert.equal(entryState({ ...base, verdict: 'suspect', running: true }), 'rerunning');
    assert.equal(entryState({ ...base, verdict: 'failed' }), 'failed');
    assert.equal(entryState({ ...base, conflictFiles: ['x'] }), 'conflict');
  });
});
