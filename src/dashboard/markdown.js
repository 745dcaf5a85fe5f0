// @ts-check
/**
 * Markdown for chunk documents and agent text: parsed by micromark into an mdast tree (CommonMark and
 * GFM: tables, task lists, strikethrough, autolinks, footnotes), rendered here to Preact nodes, never
 * to an HTML string. Raw HTML in a document shows as the text it is, and a link keeps its target only
 * for http(s), mailto and relative URLs, so nothing in a document can inject markup or script.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { useMemo } from 'preact/hooks';
import { html } from './ui.js';

/** @typedef {import('mdast').Root} Root */
/** @typedef {import('mdast').Nodes} Node */
/** @typedef {import('mdast').Parents} Parent */
/** @typedef {import('mdast').Definition} Definition */
/** @typedef {import('preact').ComponentChildren} Children */
/** @typedef {{definitions: Map<string, Definition>, tight: boolean}} Context */

/** YAML frontmatter at the very start of a chunk document: metadata, not text to show */
const FRONTMATTER = /^---\r?\n[\s\S]*?\r?\n---(\r?\n|$)/;
/** template hints in chunk documents are HTML comments: dropped, unlike other raw HTML */
const COMMENT = /<!--[\s\S]*?-->/g;

/**
 * Pure: Markdown text to its mdast tree (frontmatter left out).
 * @param {string} source
 * @returns {Root}
 */
export function parseMarkdown(source) {
  return fromMarkdown(source.replace(FRONTMATTER, ''), {
    extensions: [gfm()],
    mdastExtensions: [gfmFromMarkdown()],
  });
}

const BASE = new URL('http://relative.invalid/');

/**
 * The link target to keep, or null. Read with the URL parser the browser uses (which ignores tabs and
 * newlines, so `java&#9;script:` is still `javascript:`): http(s) and mailto, or relative to the page.
 * A protocol-relative `//host/x` counts as another host, so it needs its scheme written out.
 * @param {string} href
 */
export function safeHref(href) {
  if (!href.trim()) return null;
  /** @type {URL} */
  let url;
  try {
    url = new URL(href, BASE);
  } catch {
    return null;
  }
  if (url.protocol === 'mailto:') return href;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.host === BASE.host) return href;
  return /^\s*https?:/i.test(href) ? href : null;
}

/**
 * @param {Parent} parent
 * @param {Context} ctx
 * @returns {Children[]}
 */
function children(parent, ctx) {
  return parent.children.map((child, i) => render(child, i, ctx, parent));
}

/**
 * @param {string} href
 * @param {Children} content
 * @param {number} key
 */
function link(href, content, key) {
  const safe = safeHref(href);
  return safe
    ? html`<a key=${key} href=${safe} target="_blank" rel="noopener noreferrer">${content}</a>`
    : content;
}

/**
 * Raw HTML as text; comments (template hints) dropped. At block level it keeps a paragraph's place.
 * @param {string} value
 * @param {number} key
 * @param {Parent | undefined} parent
 */
function rawHtml(value, key, parent) {
  const text = value.replace(COMMENT, '');
  if (!text.trim()) return null;
  const block = !parent || ['root', 'blockquote', 'listItem', 'footnoteDefinition'].includes(parent.type);
  return block ? html`<p key=${key}>${text}</p>` : text;
}

/**
 * @param {import('mdast').Table} table
 * @param {number} key
 * @param {Context} ctx
 */
function renderTable(table, key, ctx) {
  const [head, ...body] = table.children;
  /** @param {import('mdast').TableRow} row @param {boolean} th */
  const cells = (row, th) =>
    row.children.map((cell, i) => {
      const align = table.align?.[i];
      const cls = align ? `align-${align}` : undefined;
      return th
        ? html`<th key=${i} class=${cls}>${children(cell, ctx)}</th>`
        : html`<td key=${i} class=${cls}>${children(cell, ctx)}</td>`;
    });
  return html`<div key=${key} class="table-scroll"><table>
    ${head && html`<thead><tr>${cells(head, true)}</tr></thead>`}
    ${body.length > 0 && html`<tbody>${body.map((row, i) => html`<tr key=${i}>${cells(row, false)}</tr>`)}</tbody>`}
  </table></div>`;
}

/**
 * @param {import('mdast').List} list
 * @param {number} key
 * @param {Context} ctx
 */
function renderList(list, key, ctx) {
  // a tight list (no blank lines between items) shows its items' paragraphs without <p>, as GitHub does
  const inner = { ...ctx, tight: !list.spread && !list.children.some((item) => item.spread) };
  const items = list.children.map((item, i) => {
    const body = children(item, inner);
    return typeof item.checked === 'boolean'
      ? html`<li key=${i} class="task"><input type="checkbox" disabled checked=${item.checked} /> ${body}</li>`
      : html`<li key=${i}>${body}</li>`;
  });
  if (!list.ordered) return html`<ul key=${key}>${items}</ul>`;
  return html`<ol key=${key} start=${list.start != null && list.start !== 1 ? list.start : undefined}>${items}</ol>`;
}

/**
 * @param {Node} node
 * @param {number} key
 * @param {Context} ctx
 * @param {Parent} [parent]
 * @returns {Children}
 */
function render(node, key, ctx, parent) {
  switch (node.type) {
    case 'root':
      return children(node, ctx);
    case 'paragraph':
      return ctx.tight && parent?.type === 'listItem'
        ? children(node, ctx)
        : html`<p key=${key}>${children(node, ctx)}</p>`;
    case 'heading':
      // documents sit under the page's h1/h2: their headings start at h3
      return html`<${`h${Math.min(6, node.depth + 2)}`} key=${key}>${children(node, ctx)}<//>`;
    case 'thematicBreak':
      return html`<hr key=${key} />`;
    case 'blockquote':
      return html`<blockquote key=${key}>${children(node, { ...ctx, tight: false })}</blockquote>`;
    case 'list':
      return renderList(node, key, ctx);
    case 'code':
      return html`<pre key=${key} class="code" data-lang=${node.lang || undefined}><code>${node.value}</code></pre>`;
    case 'html':
      return rawHtml(node.value, key, parent);
    case 'table':
      return renderTable(node, key, ctx);
    case 'footnoteDefinition':
      return html`<div key=${key} class="footnote"><sup>${node.label ?? node.identifier}</sup> ${children(node, ctx)}</div>`;
    case 'footnoteReference':
      return html`<sup key=${key}>[${node.label ?? node.identifier}]</sup>`;
    case 'definition':
      return null;
    case 'text':
      return node.value;
    case 'emphasis':
      return html`<em key=${key}>${children(node, ctx)}</em>`;
    case 'strong':
      return html`<strong key=${key}>${children(node, ctx)}</strong>`;
    case 'delete':
      return html`<del key=${key}>${children(node, ctx)}</del>`;
    case 'inlineCode':
      return html`<code key=${key}>${node.value}</code>`;
    case 'break':
      return html`<br key=${key} />`;
    case 'link':
      return link(node.url, children(node, ctx), key);
    case 'linkReference':
      return link(ctx.definitions.get(node.identifier)?.url ?? '', children(node, ctx), key);
    // images are not loaded (a document must not make the page fetch anything): a link to them instead
    case 'image':
      return link(node.url, node.alt || node.url, key);
    case 'imageReference':
      return link(ctx.definitions.get(node.identifier)?.url ?? '', node.alt || node.identifier, key);
    default:
      return 'children' in node ? children(node, ctx) : 'value' in node ? node.value : null;
  }
}

/**
 * Link reference definitions by identifier (mdast normalises both sides).
 * @param {Root} root
 */
function definitionsOf(root) {
  /** @type {Map<string, Definition>} */
  const found = new Map();
  /** @param {Node} node */
  const visit = (node) => {
    if (node.type === 'definition' && !found.has(node.identifier)) found.set(node.identifier, node);
    if ('children' in node) for (const child of node.children) visit(child);
  };
  visit(root);
  return found;
}

/**
 * One line of Markdown (a goal summary) as inline nodes: paragraphs and headings keep their
 * formatting, anything else shows as its text.
 * @param {string} text
 * @returns {Children[]}
 */
export function inline(text) {
  const root = parseMarkdown(text);
  const ctx = { definitions: definitionsOf(root), tight: true };
  return root.children.flatMap((block, i) => {
    const sep = i > 0 ? [' '] : [];
    if (block.type === 'paragraph' || block.type === 'heading') return [...sep, ...children(block, ctx)];
    if (block.type === 'html') return [...sep, block.value.replace(COMMENT, '')];
    return [...sep, plainText(block)];
  });
}

/** @param {Node} node @returns {string} */
function plainText(node) {
  if ('value' in node) return node.value;
  return 'children' in node ? node.children.map(plainText).join('') : '';
}

/** @param {{text: string, compact?: boolean}} p */
export function Markdown({ text, compact }) {
  const body = useMemo(() => {
    const root = parseMarkdown(text);
    return render(root, 0, { definitions: definitionsOf(root), tight: false });
  }, [text]);
  return html`<div class=${compact ? 'md compact' : 'md'}>${body}</div>`;
}
