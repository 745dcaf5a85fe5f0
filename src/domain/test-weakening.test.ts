/** Which diffs weaken the tests, read from real `git diff` shapes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeWeakening, findTestWeakening, isTestPath, parseDiffFiles } from './test-weakening.js';

/** A one-hunk diff of `path` with `removed` and `added` lines (and optional extra header lines). */
function fileDiff(path: string, removed: string[], added: string[], header: string[] = []): string {
  return [
    `diff --git a/${path} b/${path}`,
    ...header,
    `--- a/${path}`,
    `+++ b/${path}`,
    '@@ -1,3 +1,3 @@',
    ...removed.map((l) => `-${l}`),
    ...added.map((l) => `+${l}`),
    '',
  ].join('\n');
}

/** A diff that deletes `path`, whose lines were `removed`. */
const deletedFile = (path: string, removed: string[]) =>
  fileDiff(path, removed, [], ['deleted file mode 100644']);

describe('isTestPath', () => {
  it('knows the usual conventions', () => {
    for (const p of [
      'test/a.ts',
      'src/__tests__/b.js',
      'src/x.test.ts',
      'web/y.spec.tsx',
      'pkg/test_thing.py',
      'pkg/thing_test.py',
      'cmd/server_test.go',
      'spec/models/user_spec.rb',
      'src/test/java/FooTest.java',
      'Tests/BarTests.cs',
    ])
      assert.equal(isTestPath(p), true, p);
    for (const p of ['src/testing-utils.ts', 'src/contest.ts', 'README.md', 'src/latest/x.ts'])
      assert.equal(isTestPath(p), false, p);
  });
});

describe('findTestWeakening', () => {
  it('finds a deleted test file, counting its tests', () => {
    const diff = deletedFile('test/math.test.js', ["test('adds', () => {", "test('subtracts', () => {"]);
    const [w] = findTestWeakening(diff);
    assert.deepEqual(w, { kind: 'deleted_test_file', file: 'test/math.test.js', count: 2, example: null });
    assert.equal(describeWeakening(w!), 'deletes test/math.test.js');
  });

  it('finds tests removed from a file, net of the ones added', () => {
    const diff = fileDiff(
      'tests/test_api.py',
      ['def test_login():', 'def test_logout():', '    async def test_refresh(client):'],
      ['def test_login_v2():'],
    );
    assert.deepEqual(findTestWeakening(diff), [
      { kind: 'removed_tests', file: 'tests/test_api.py', count: 2, example: 'def test_logout():' },
    ]);
  });

  it('counts tests over the whole diff: moved or split tests are not removed, helpers are not tests', () => {
    const moved =
      fileDiff('test/a.test.js', ["it('parses', () => {"], []) +
      fileDiff('test/b.test.js', [], ["it('parses', () => {"]);
    assert.deepEqual(findTestWeakening(moved), []);
    const split =
      deletedFile('test/all.test.js', ["test('a', () => {", "test('b', () => {"]) +
      fileDiff('test/a.test.js', [], ["test('a', () => {"], ['new file mode 100644']) +
      fileDiff('test/b.test.js', [], ["test('b', () => {"], ['new file mode 100644']);
    assert.deepEqual(findTestWeakening(split), []);
    const helper = deletedFile('test/helpers/db.js', ['export const db = 1;']);
    assert.deepEqual(findTestWeakening(helper), []);
    // named as a test file, in a style this reader does not know: counted as deleted, to be safe
    const unknown = deletedFile('test/x.test.js', ['Deno.test("x", () => {});']);
    assert.deepEqual(
      findTestWeakening(unknown).map((w) => [w.kind, w.file]),
      [['deleted_test_file', 'test/x.test.js']],
    );
  });

  it('finds skips and focus in each language, and not a skip that only moved', () => {
    const cases: [string, string][] = [
      ['src/a.test.ts', "it.skip('parses', () => {"],
      ['src/a.test.ts', "  test.only('parses', () => {"],
      ['src/a.test.ts', "xit('parses', () => {"],
      ['test/b.test.js', "it('parses', { skip: true }, () => {"],
      ['test/b.test.js', "describe('parser', { todo: 'later' }, () => {"],
      ['tests/test_c.py', '@pytest.mark.skip(reason="flaky")'],
      ['tests/test_c.py', '@unittest.skip("later")'],
      ['pkg/d_test.go', '\tt.Skip("broken on CI")'],
      ['src/tests/e.rs', '#[ignore]'],
      ['src/test/java/FTest.java', '  @Disabled'],
    ];
    for (const [file, line] of cases) {
      const found = findTestWeakening(fileDiff(file, [], [line]));
      assert.deepEqual(
        found.map((w) => [w.kind, w.file, w.count]),
        [['skipped_tests', file, 1]],
        `${file}: ${line}`,
      );
    }
    const moved = fileDiff('src/a.test.ts', ["it.skip('old', () => {"], ["it.skip('old', () => {"]);
    assert.deepEqual(findTestWeakening(moved), []);
    // a test turned into a skipped one is a skip, not also a removal
    const turned = fileDiff(
      'test/p.test.js',
      ["test('parses', () => {});"],
      ["test.skip('parses', () => {});"],
    );
    assert.deepEqual(
      findTestWeakening(turned).map((w) => w.kind),
      ['skipped_tests'],
    );
  });

  it('finds a changed test script in package.json, not a new script beside it', () => {
    const changed = fileDiff('package.json', ['    "test": "node --test",'], ['    "test": "exit 0",']);
    assert.deepEqual(findTestWeakening(changed), [
      { kind: 'changed_test_script', file: 'package.json', count: 1, example: '"test": "node --test",' },
    ]);
    assert.deepEqual(findTestWeakening(fileDiff('package.json', [], ['    "lint": "biome check",'])), []);
  });

  it('reads lines after a hunk starts as content, even when they look like headers', () => {
    // a removed SQL comment `-- x` is the diff line `--- x`; an added `++ y` is `+++ y`
    const [f] = parseDiffFiles(fileDiff('db/schema.sql', ['-- x', 'deleted file mode'], ['++ y']));
    assert.deepEqual(
      [f?.path, f?.deleted, f?.removed, f?.added],
      ['db/schema.sql', false, ['-- x', 'deleted file mode'], ['++ y']],
    );
  });

  it('leaves alone tests added or renamed, code outside tests, and skip words in source files', () => {
    const added = fileDiff('test/new.test.ts', [], ["test('new', () => {"], ['new file mode 100644']);
    const renamed = [
      'diff --git a/test/old.test.ts b/test/renamed.test.ts',
      'similarity index 100%',
      'rename from test/old.test.ts',
      'rename to test/renamed.test.ts',
      '',
    ].join('\n');
    const source = fileDiff('src/parser.ts', ['export function test(x) {'], ['const opts = { skip: true };']);
    assert.deepEqual(findTestWeakening(added + renamed + source), []);
    assert.deepEqual(
      parseDiffFiles(renamed).map((f) => [f.path, f.deleted]),
      [['test/renamed.test.ts', false]],
    );
  });

  it('reports several files in the diff’s order', () => {
    const diff =
      fileDiff('test/a.test.js', ["it('a', () => {"], []) +
      fileDiff('test/b.test.js', [], ["describe.only('b', () => {"]);
    assert.deepEqual(findTestWeakening(diff).map(describeWeakening), [
      "removes 1 test from test/a.test.js: it('a', () => {",
      "skips or focuses tests in test/b.test.js: describe.only('b', () => {",
    ]);
  });
});
