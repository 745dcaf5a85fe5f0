// @ts-check
/**
 * A small Markdown renderer for goal documents and agent text. It builds Preact nodes, never HTML
 * strings, so nothing in a document can inject markup; links are kept only for http(s) and
 * relative targets. Covers what chunk docs use: headings, lists, code, quotes, rules, emphasis.
 */
import { html } from './ui.js';

/** @typedef {{type: 'h', level: number, text: string} | {type: 'p', text: string} | {type: 'code', text: string, lang: string}
 *  | {type: 'list', ordered: boolean, items: string[]} | {type: 'quote', text: string} | {type: 'hr'}} Block */

/**
 * Pure: Markdown text to blocks. Frontmatter and HTML comments (template hints) are dropped.
 * @param {string} source
 * @returns {Block[]}
 */
export function parseBlocks(source) {
  const text = source.replace(/^---\n[\s\S]*?\n---\n/, '').replace(/<!--[\s\S]*?-->/g, '');
  const lines = text.split('\n');
  /** @type {Block[]} */
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence) {
      const body = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i] ?? '')) body.push(lines[i++]);
      i++;
      out.push({ type: 'code', text: body.join('\n'), lang: fence[1] ?? '' });
      continue;
    }
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      out.push({ type: 'h', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
      i++;
      continue;
    }
    if (/^\s*([-*_])\s*\1\s*\1[\s\-*_]*$/.test(line)) {
      out.push({ type: 'hr' });
      i++;
      continue;
    }
    const item = /^\s*([-*+]|\d+[.)])\s+/;
    if (item.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      while (
        i < lines.length &&
        (item.test(lines[i] ?? '') || (/^\s{2,}\S/.test(lines[i] ?? '') && items.length))
      ) {
        const l = lines[i++] ?? '';
        if (item.test(l)) items.push(l.replace(item, ''));
        else items[items.length - 1] += ` ${l.trim()}`;
      }
      out.push({ type: 'list', ordered, items });
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body = [];
      while (i < lines.length && /^\s*>/.test(lines[i] ?? ''))
        body.push((lines[i++] ?? '').replace(/^\s*>\s?/, ''));
      out.push({ type: 'quote', text: body.join(' ') });
      continue;
    }
    const para = [];
    while (
      i < lines.length &&
      (lines[i] ?? '').trim() &&
      !/^(#{1,6}\s|\s*```|\s*>|\s*([-*+]|\d+[.)])\s+)/.test(lines[i] ?? '')
    )
      para.push(lines[i++]);
    out.push({ type: 'p', text: para.join('\n') });
  }
  return out;
}

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\s][^*\n]*\*|_[^_\s][^_\n]*_)|(\[[^\]\n]+\]\([^)\s]+\))/g;

/** @param {string} href */
function safeHref(href) {
  return /^(https?:\/\/|\/|#|\.{0,2}\/)/i.test(href) && !/^\/\//.test(href) ? href : null;
}

/**
 * @param {string} text
 * @returns {any[]}
 */
export function inline(text) {
  /** @type {any[]} */
  const out = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const t = m[0];
    if (m[1]) out.push(html`<code>${t.slice(1, -1)}</code>`);
    else if (m[2]) out.push(html`<strong>${inline(t.slice(2, -2))}</strong>`);
    else if (m[3]) out.push(html`<em>${inline(t.slice(1, -1))}</em>`);
    else {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(t);
      const href = safeHref(link?.[2] ?? '');
      out.push(
        href
          ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${link?.[1]}</a>`
          : (link?.[1] ?? t),
      );
    }
    last = at + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** @param {{text: string, compact?: boolean}} p */
export function Markdown({ text, compact }) {
  const blocks = parseBlocks(text);
  return html`<div class=${compact ? 'md compact' : 'md'}>
    ${blocks.map((b, i) => {
      switch (b.type) {
        case 'h': {
          // documents sit under the page's h1/h2: start their headings at h3
          const level = Math.min(6, b.level + 2);
          return html`<${`h${level}`} key=${i}>${inline(b.text)}<//>`;
        }
        case 'p':
          return html`<p key=${i}>${inline(b.text)}</p>`;
        case 'code':
          return html`<pre key=${i} class="code"><code>${b.text}</code></pre>`;
        case 'list':
          return b.ordered
            ? html`<ol key=${i}>${b.items.map((t, j) => html`<li key=${j}>${inline(t)}</li>`)}</ol>`
            : html`<ul key=${i}>${b.items.map((t, j) => html`<li key=${j}>${inline(t)}</li>`)}</ul>`;
        case 'quote':
          return html`<blockquote key=${i}>${inline(b.text)}</blockquote>`;
        case 'hr':
          return html`<hr key=${i} />`;
        default:
          return null;
      }
    })}
  </div>`;
}
