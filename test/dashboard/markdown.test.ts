/**
 * The dashboard's Markdown renderer, run in Node on the browser module itself and rendered to an HTML
 * string by preact-render-to-string: text shows as written (snake_case names stay literal), GFM
 * blocks render, and nothing in a document becomes markup or a script link.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/agent-fixtures.js';

/** Imported by a computed name: Preact's types would pull the DOM lib into the Node compilation. */
const untyped = (specifier: string): Promise<unknown> => import(specifier);
const { h } = (await untyped('preact')) as {
  h(type: unknown, props: unknown, ...children: unknown[]): unknown;
};
const { render } = (await untyped('preact-render-to-string')) as { render(vnode: unknown): string };
const md = (await untyped(pathToFileURL(join(repoRoot(), 'src', 'dashboard', 'markdown.js')).href)) as {
  Markdown(p: { text: string; compact?: boolean }): unknown;
  inline(text: string): unknown;
};

const doc = (text: string) => render(h(md.Markdown, { text }));
const summary = (text: string) => render(h('p', null, md.inline(text)));

describe('dashboard Markdown', () => {
  it('keeps snake_case identifiers literal, in documents and in summaries', () => {
    const out = doc('Build auth_login_flow after user_store_v2 and __dunder__names_here.\n');
    assert.match(out, /auth_login_flow/);
    assert.match(out, /user_store_v2/);
    assert.doesNotMatch(out, /<em>/);
    const line = summary('Depends on auth_login_flow and session_cache.');
    assert.equal(line, '<p>Depends on auth_login_flow and session_cache.</p>');
  });

  it('still renders emphasis, strong, strikethrough and inline code', () => {
    assert.equal(
      doc('An *emphasised* and _also_ word, **strong**, ~~gone~~ and `a_b_c`.'),
      '<div class="md"><p>An <em>emphasised</em> and <em>also</em> word, <strong>strong</strong>, <del>gone</del> and <code>a_b_c</code>.</p></div>',
    );
    assert.equal(
      summary('Give the service a **store**.'),
      '<p>Give the service a <strong>store</strong>.</p>',
    );
  });

  it('renders tables with their alignment (as classes: the CSP allows no inline styles)', () => {
    const out = doc('| chunk | cost |\n| :--- | ---: |\n| auth_login_flow | $1.20 |\n| b | $3 |\n');
    assert.match(out, /<table>.*<\/table>/s);
    assert.match(
      out,
      /<thead><tr><th class="align-left">chunk<\/th><th class="align-right">cost<\/th><\/tr><\/thead>/,
    );
    assert.match(
      out,
      /<tbody><tr><td class="align-left">auth_login_flow<\/td><td class="align-right">\$1\.20<\/td><\/tr>/,
    );
  });

  it('renders nested lists, ordered lists with their start, and task lists', () => {
    assert.equal(
      doc('- a\n  - a1\n  - a2\n- b\n'),
      '<div class="md"><ul><li>a<ul><li>a1</li><li>a2</li></ul></li><li>b</li></ul></div>',
    );
    assert.equal(
      doc('3. three\n4. four\n'),
      '<div class="md"><ol start="3"><li>three</li><li>four</li></ol></div>',
    );
    const tasks = doc('- [x] done_one\n- [ ] todo\n');
    assert.match(tasks, /<li class="task"><input type="checkbox" disabled checked\/> done_one<\/li>/);
    assert.match(tasks, /<li class="task"><input type="checkbox" disabled\/> todo<\/li>/);
  });

  it('renders fenced and indented code blocks verbatim', () => {
    assert.equal(
      doc('```ts\nconst a_b = *x*;\n<b>\n```\n'),
      '<div class="md"><pre class="code" data-lang="ts"><code>const a_b = *x*;\n&lt;b></code></pre></div>',
    );
    assert.equal(
      doc('Text:\n\n    indented_code();\n    -- sql\n'),
      '<div class="md"><p>Text:</p><pre class="code"><code>indented_code();\n-- sql</code></pre></div>',
    );
  });

  it('renders headings below the page heading, quotes, rules and breaks', () => {
    assert.equal(
      doc('# Goal\n\n## Minor_Goal\n\n> quoted *text*\n\n---\n\nline one  \nline two\n'),
      '<div class="md"><h3>Goal</h3><h4>Minor_Goal</h4><blockquote><p>quoted <em>text</em></p></blockquote><hr/><p>line one<br/>line two</p></div>',
    );
  });

  it('links images instead of loading them, and renders footnotes', () => {
    assert.equal(
      doc('See ![the plan](docs/plan.png) and ![](https://example.com/a.png).'),
      '<div class="md"><p>See <a href="docs/plan.png" target="_blank" rel="noopener noreferrer">the plan</a> and <a href="https://example.com/a.png" target="_blank" rel="noopener noreferrer">https://example.com/a.png</a>.</p></div>',
    );
    const notes = doc('Uses the store[^s].\n\n[^s]: session_store, from chunk 3.\n');
    assert.match(notes, /<p>Uses the store<sup>\[s\]<\/sup>\.<\/p>/);
    assert.match(notes, /<div class="footnote"><sup>s<\/sup> <p>session_store, from chunk 3\.<\/p><\/div>/);
  });

  it('drops frontmatter and template hint comments', () => {
    const out = doc('---\nstatus: FUTURE\n---\n# Goal\n\n<!-- hint\nmore -->\nOne line.\n');
    assert.equal(out, '<div class="md"><h3>Goal</h3><p>One line.</p></div>');
  });

  it('shows raw HTML as text, never as markup', () => {
    const out = doc(
      '<script>alert(1)</script>\n\nInline <img src=x onerror="alert(1)"> and <b>bold</b>.\n\n<div onclick="x()">block</div>\n',
    );
    assert.doesNotMatch(out, /<(script|img|b|div onclick)\b/);
    assert.match(out, /&lt;script>alert\(1\)&lt;\/script>/);
    assert.match(out, /Inline &lt;img src=x onerror=&quot;alert\(1\)&quot;> and &lt;b>bold&lt;\/b>\./);
    assert.match(out, /&lt;div onclick=&quot;x\(\)&quot;>block&lt;\/div>/);
    assert.match(summary('A <i>summary</i>'), /A &lt;i>summary&lt;\/i>/);
  });

  it('links only http(s), mailto and relative targets', () => {
    const hrefOf = (src: string) => /<a href="([^"]*)"/.exec(doc(src))?.[1] ?? null;
    assert.equal(hrefOf('[ok](https://example.com/x)'), 'https://example.com/x');
    assert.equal(hrefOf('[mail](mailto:ops@example.com)'), 'mailto:ops@example.com');
    assert.equal(hrefOf('[rel](./docs/a.md)'), './docs/a.md');
    assert.equal(hrefOf('[rel](docs/chunks/auth_login_flow/GOAL.md)'), 'docs/chunks/auth_login_flow/GOAL.md');
    assert.equal(hrefOf('[frag](#steps)'), '#steps');
    assert.equal(hrefOf('<https://example.com/auto>'), 'https://example.com/auto');
    assert.equal(hrefOf('See www.example.com/a_b today'), 'http://www.example.com/a_b');
    assert.equal(hrefOf('[ref][r]\n\n[r]: https://example.com/ref'), 'https://example.com/ref');
    for (const bad of [
      '[bad](javascript:alert(1))',
      '[bad](JavaScript:alert(1))',
      '[bad](java&#9;script:alert(1))',
      '<javascript:alert(1)>',
      '[bad](//evil.example/x)',
      '[bad](data:text/html,x)',
      '[bad](vbscript:x)',
      '![img](javascript:alert(1))',
      '[empty]()',
    ]) {
      const out = doc(bad);
      assert.equal(hrefOf(bad), null, bad);
      assert.doesNotMatch(out, /<a |<img/i, bad);
    }
    assert.match(doc('[bad](javascript:alert(1))'), /<p>bad<\/p>/, 'the text stays');
    const link = doc('[ok](https://example.com/x)');
    assert.match(link, /target="_blank"/);
    assert.match(link, /rel="noopener noreferrer"/);
  });
});
