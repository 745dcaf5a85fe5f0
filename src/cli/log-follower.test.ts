import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PhaseLogFollower } from './log-follower.js';

describe('PhaseLogFollower', () => {
  const dir = mkdtempSync(join(tmpdir(), 've-follow-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const pathOf = (phase: string) => join(dir, `${phase.toLowerCase()}.jsonl`);

  it('reads phases in pipeline order, then only appended complete lines', async () => {
    writeFileSync(pathOf('REVIEW'), 'r1\n');
    writeFileSync(pathOf('PLAN'), 'p1\np2\n');
    const f = new PhaseLogFollower(pathOf);
    assert.deepEqual(await f.existingPhases(), ['PLAN', 'REVIEW']);
    assert.deepEqual(await f.readNew(), [
      { phase: 'PLAN', line: 'p1' },
      { phase: 'PLAN', line: 'p2' },
      { phase: 'REVIEW', line: 'r1' },
    ]);
    assert.deepEqual(await f.readNew(), []);
    appendFileSync(pathOf('PLAN'), 'p3\npart');
    assert.deepEqual(await f.readNew(), [{ phase: 'PLAN', line: 'p3' }]);
    appendFileSync(pathOf('PLAN'), 'ial ü\n');
    writeFileSync(pathOf('COMPLETE'), 'c1\n');
    assert.deepEqual(await f.readNew(), [
      { phase: 'PLAN', line: 'partial ü' },
      { phase: 'COMPLETE', line: 'c1' },
    ]);
  });

  it('keeps a multi-byte character split across reads intact', async () => {
    const f = new PhaseLogFollower(pathOf);
    writeFileSync(pathOf('GOAL'), Buffer.from([0xc3]));
    const before = await f.readNew();
    assert.ok(before.every((l) => l.phase !== 'GOAL'));
    appendFileSync(pathOf('GOAL'), Buffer.from([0xbc, 0x0a]));
    const lines = (await f.readNew()).filter((l) => l.phase === 'GOAL');
    assert.deepEqual(lines, [{ phase: 'GOAL', line: 'ü' }]);
  });

  it('starts over when a file shrinks', async () => {
    const f = new PhaseLogFollower(pathOf);
    writeFileSync(pathOf('REBASE'), 'one\ntwo\n');
    assert.equal((await f.readNew()).filter((l) => l.phase === 'REBASE').length, 2);
    writeFileSync(pathOf('REBASE'), 'x\n');
    assert.deepEqual(
      (await f.readNew()).filter((l) => l.phase === 'REBASE'),
      [{ phase: 'REBASE', line: 'x' }],
    );
  });
});
