/** Pure parsers: worktree list, merge-tree output, C-quoted paths, `.worktreeinclude`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMergeTree, parseWorktreeInclude, parseWorktreeList, unquoteCPath } from './porcelain.js';

describe('parseWorktreeList', () => {
  it('reads branch, detached, locked and prunable records', () => {
    const out = [
      'worktree /repo',
      'HEAD aaa',
      'branch refs/heads/main',
      '',
      'worktree /repo/.ve/chunks/x/worktree',
      'HEAD bbb',
      'branch refs/heads/orch/x',
      'locked ve: in use',
      '',
      'worktree /elsewhere',
      'HEAD ccc',
      'detached',
      'prunable gitdir file points to non-existent location',
      '',
      '',
    ].join('\0');
    const list = parseWorktreeList(out);
    assert.equal(list.length, 3);
    assert.deepEqual(list[0], {
      path: '/repo',
      head: 'aaa',
      branch: 'main',
      detached: false,
      bare: false,
      locked: false,
      prunable: false,
    });
    assert.equal(list[1]?.branch, 'orch/x');
    assert.equal(list[1]?.locked, true);
    assert.equal(list[2]?.branch, null);
    assert.equal(list[2]?.detached, true);
    assert.equal(list[2]?.prunable, true);
  });

  it('keeps spaces in paths', () => {
    const list = parseWorktreeList('worktree /a b/c\0HEAD x\0branch refs/heads/m\0\0');
    assert.equal(list[0]?.path, '/a b/c');
  });
});

describe('parseMergeTree', () => {
  it('reads a clean result', () => {
    assert.deepEqual(parseMergeTree('abc123\n'), { tree: 'abc123', files: [], messages: '' });
  });

  it('reads conflicted files and messages', () => {
    const out = 'abc\nf\n"sp\\303\\251cial"\nf\n\nAuto-merging f\nCONFLICT (content): Merge conflict in f\n';
    const r = parseMergeTree(out);
    assert.equal(r.tree, 'abc');
    assert.deepEqual(r.files, ['f', 'spécial']);
    assert.match(r.messages, /^Auto-merging f\nCONFLICT/);
  });
});

describe('unquoteCPath', () => {
  it('leaves plain names alone and decodes escapes and octal UTF-8', () => {
    assert.equal(unquoteCPath('plain.txt'), 'plain.txt');
    assert.equal(unquoteCPath('"a\\tb\\"c\\\\"'), 'a\tb"c\\');
    assert.equal(unquoteCPath('"\\303\\244.md"'), 'ä.md');
  });
});

describe('parseWorktreeInclude', () => {
  it('takes relative paths, skips comments and blanks, dedupes', () => {
    const r = parseWorktreeInclude('# local files\n.env\n\n  config/local.json  \n.env\nsecrets/\n');
    assert.deepEqual(r.paths, ['.env', 'config/local.json', 'secrets']);
    assert.deepEqual(r.rejected, []);
  });

  it('refuses paths that escape the repository or touch .git/.ve, and globs', () => {
    const r = parseWorktreeInclude(
      '/etc/passwd\n../x\na/../../y\n.git/config\n.ve/orchestrator.db\n*.env\n.\n',
    );
    assert.deepEqual(r.paths, []);
    assert.deepEqual(
      r.rejected.map((x) => [x.line, x.reason]),
      [
        ['/etc/passwd', 'absolute path'],
        ['../x', 'escapes the repository'],
        ['a/../../y', 'escapes the repository'],
        ['.git/config', '.git is never copied'],
        ['.ve/orchestrator.db', '.ve is never copied'],
        ['*.env', 'globs are not supported; list each path'],
        ['.', 'escapes the repository'],
      ],
    );
  });

  it('normalizes harmless dot segments', () => {
    assert.deepEqual(parseWorktreeInclude('./a/./b\nc/../d\n').paths, ['a/b', 'd']);
  });
});
