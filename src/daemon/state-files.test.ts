import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectPaths } from '../config/paths.js';
import { loadOrCreateToken, pinBase, readLastPort, readPinnedBase } from './state-files.js';

const paths = () => {
  const p = projectPaths(mkdtempSync(join(tmpdir(), 've-state-')));
  mkdirSync(p.stateDir);
  return p;
};

describe('daemon state files', () => {
  it('reads the pinned base, and refuses a base-branch file it cannot trust instead of re-pinning', () => {
    const p = paths();
    assert.equal(readPinnedBase(p), null, 'first start: nothing pinned');
    pinBase(p, 'release/2.x');
    assert.equal(readPinnedBase(p), 'release/2.x');
    // silently re-pinning to the current branch would send merges somewhere the operator never chose
    writeFileSync(join(p.stateDir, 'base-branch'), 'main..evil\n');
    assert.throws(() => readPinnedBase(p), /base-branch.*main\.\.evil.*delete it/s);
  });

  it('keeps a private token, makes one when there is none, and fails on a token it cannot read', () => {
    const p = paths();
    const token = loadOrCreateToken(p);
    assert.equal(loadOrCreateToken(p), token);
    const q = paths();
    mkdirSync(q.token);
    assert.throws(() => loadOrCreateToken(q), /EISDIR/);
  });

  it('takes no last port when there is none or it is not a port', () => {
    const p = paths();
    assert.equal(readLastPort(p), null);
    writeFileSync(`${p.port}.last`, 'ninety\n');
    assert.equal(readLastPort(p), null);
    writeFileSync(`${p.port}.last`, '4321\n');
    assert.equal(readLastPort(p), 4321);
  });
});
