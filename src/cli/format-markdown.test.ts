import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from './format-markdown.js';

const plain = { color: false };

describe('renderMarkdown', () => {
  it('lays out a plan as terminal text: headings, steps, locations, code, quotes', () => {
    const plan = [
      '---',
      'status: IMPLEMENTING',
      '---',
      '# Plan',
      '',
      '<!-- template hint: say how -->',
      '',
      '## Approach',
      '',
      'Use a **map** keyed by `id`, see [the docs](https://example.com/x) or https://example.com/y.',
      '',
      '1. Write the cache.',
      '   Location: src/cache.ts#Cache',
      '2. Test it:',
      '   - a hit',
      '   - a miss',
      '',
      '- [x] decided',
      '- [ ] open',
      '',
      '> Note: keep it small.',
      '',
      '```ts',
      'const m = new Map();',
      '```',
    ].join('\n');
    assert.deepEqual(renderMarkdown(plain, plan), [
      'Plan',
      '════',
      '',
      'Approach',
      '────────',
      '',
      'Use a map keyed by id, see the docs (https://example.com/x) or https://example.com/y.',
      '',
      '1. Write the cache.',
      '   Location: src/cache.ts#Cache',
      '2. Test it:',
      '   • a hit',
      '   • a miss',
      '',
      '• [x] decided',
      '• [ ] open',
      '',
      '│ Note: keep it small.',
      '',
      '  ts',
      '    const m = new Map();',
    ]);
  });

  it('aligns table columns by their text', () => {
    const lines = renderMarkdown(
      plain,
      '| file | why |\n| --- | --- |\n| src/a.ts | `x` is long |\n| b | c |',
    );
    assert.deepEqual(lines, [
      'file     │ why',
      '─────────┼──────────',
      'src/a.ts │ x is long',
      'b        │ c',
    ]);
  });

  it('colours only when the terminal takes it, and shows raw HTML as text', () => {
    const [heading] = renderMarkdown({ color: true }, '## Steps');
    assert.equal(heading, '\u001b[1mSteps\u001b[0m');
    assert.deepEqual(renderMarkdown(plain, '<script>alert(1)</script>'), ['<script>alert(1)</script>']);
  });
});
