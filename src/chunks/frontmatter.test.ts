import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOrchError } from '../domain/errors.js';
import { parseFrontmatter, renderDocument, setFrontmatterKey } from './frontmatter.js';

const DOC = `---
status: FUTURE # keep me
custom_key:
  nested: [1, 2]
depends_on: []
---
# Body

  indented  \ttabs and trailing spaces   
no newline at end`;

describe('frontmatter', () => {
  it('parses keys, tolerating unknown ones', () => {
    const { data, body } = parseFrontmatter(DOC, 'GOAL.md');
    assert.equal(data.status, 'FUTURE');
    assert.deepEqual(data.custom_key, { nested: [1, 2] });
    assert.ok(body.startsWith('# Body'));
  });

  it('rewrites one key and keeps unknown keys, comments and the body byte-for-byte', () => {
    const out = setFrontmatterKey(DOC, 'status', 'IMPLEMENTING', 'GOAL.md');
    assert.ok(out.endsWith(DOC.slice(DOC.indexOf('# Body'))));
    assert.match(out, /status: IMPLEMENTING # keep me/);
    assert.match(out, /custom_key:/);
    assert.equal(parseFrontmatter(out, 'GOAL.md').data.status, 'IMPLEMENTING');
  });

  it('reports malformed frontmatter clearly', () => {
    assert.throws(
      () => parseFrontmatter('---\nstatus: [unclosed\n---\nx', 'GOAL.md'),
      (e) => isOrchError(e, 'malformed_chunk'),
    );
    // the line is the file's (the opening fence is line 1), and the offending line is quoted
    assert.throws(
      () => parseFrontmatter('---\nstatus: ACTIVE\nsummary: adds x: a thing\n---\n# Goal\n', 'GOAL.md'),
      {
        message:
          'GOAL.md: could not parse frontmatter: Nested mappings are not allowed in compact mappings at line 3, column 10: `summary: adds x: a thing`',
      },
    );
    assert.throws(() => parseFrontmatter('no fence', 'GOAL.md'), /no YAML frontmatter/);
    assert.throws(() => parseFrontmatter('---\n- a\n- b\n---\n', 'GOAL.md'), /must be a mapping/);
  });
});

describe('renderDocument', () => {
  it('writes block-style frontmatter a person can edit, with explicit nulls', () => {
    const text = renderDocument(
      { status: 'FUTURE', ticket: null, depends_on: ['a', 'b'], code_paths: [] },
      '# Goal\n',
    );
    assert.equal(
      text,
      '---\nstatus: FUTURE\nticket: null\ndepends_on:\n  - a\n  - b\ncode_paths: []\n---\n# Goal\n',
    );
    assert.deepEqual(parseFrontmatter(text, 'GOAL.md').data.depends_on, ['a', 'b']);
  });
});
