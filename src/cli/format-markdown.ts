/**
 * Markdown for a terminal (`ve orch plan`): parsed by the same micromark GFM parser the dashboard
 * uses, so both show the same structure, then laid out as text with colour where the terminal takes
 * it. Headings, lists (tasks too), quotes, code, tables, links as `text (url)`. PURE.
 */
import type { Nodes, Parents, RootContent, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { type CliIo, paint } from './output.js';

type Painter = Pick<CliIo, 'color'>;

/** YAML frontmatter of a chunk document: metadata, not text */
const FRONTMATTER = /^---\r?\n[\s\S]*?\r?\n---(\r?\n|$)/;
/** template hints in chunk documents are HTML comments */
const COMMENT = /^<!--[\s\S]*-->$/;

export function renderMarkdown(io: Painter, source: string): string[] {
  const tree = fromMarkdown(source.replace(FRONTMATTER, ''), {
    extensions: [gfm()],
    mdastExtensions: [gfmFromMarkdown()],
  });
  return blocks(io, tree.children);
}

/** Blocks separated by one empty line (none inside the items of a tight list). */
function blocks(io: Painter, nodes: readonly RootContent[], gap = true): string[] {
  const out: string[] = [];
  for (const node of nodes) {
    const lines = block(io, node);
    if (lines.length === 0) continue;
    if (gap && out.length > 0) out.push('');
    out.push(...lines);
  }
  return out;
}

function block(io: Painter, node: RootContent): string[] {
  switch (node.type) {
    case 'heading': {
      const text = paint(io, 'bold', inline(io, node));
      if (node.depth > 2) return [text];
      const rule = (node.depth === 1 ? '═' : '─').repeat(Math.max(3, plainText(node).length));
      return [text, paint(io, 'dim', rule)];
    }
    case 'paragraph':
      return inline(io, node).split('\n');
    case 'code':
      return [
        ...(node.lang ? [paint(io, 'dim', `  ${node.lang}`)] : []),
        ...node.value.split('\n').map((l) => paint(io, 'cyan', `    ${l}`)),
      ];
    case 'blockquote':
      return blocks(io, node.children).map((l) => `${paint(io, 'dim', '│')} ${l}`);
    case 'list':
      return list(io, node.children, node.ordered ? (node.start ?? 1) : null, node.spread === true);
    case 'thematicBreak':
      return [paint(io, 'dim', '─'.repeat(40))];
    case 'table':
      return table(io, node);
    case 'html':
      return COMMENT.test(node.value.trim()) ? [] : node.value.split('\n');
    case 'footnoteDefinition':
      return indentAfter(`[^${node.identifier}]: `, blocks(io, node.children));
    case 'definition':
      return [];
    default:
      return 'children' in node ? blocks(io, (node as Parents).children as RootContent[]) : [];
  }
}

function list(io: Painter, items: readonly RootContent[], start: number | null, spread: boolean): string[] {
  const out: string[] = [];
  items.forEach((item, i) => {
    if (item.type !== 'listItem') return;
    const task = item.checked === true ? '[x] ' : item.checked === false ? '[ ] ' : '';
    const marker = `${start === null ? '•' : `${start + i}.`} ${task}`;
    if (spread && out.length > 0) out.push('');
    out.push(...indentAfter(marker, blocks(io, item.children, spread)));
  });
  return out;
}

/** The first line after `lead`, the rest indented to line up under it. */
function indentAfter(lead: string, lines: readonly string[]): string[] {
  const pad = ' '.repeat([...lead].length);
  return lines.map((l, n) => (n === 0 ? lead + l : l === '' ? '' : pad + l));
}

function table(io: Painter, node: Table): string[] {
  const rows = node.children.map((row) => row.children.map((cell) => plainText(cell)));
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(3, ...rows.map((r) => [...(r[c] ?? '')].length)),
  );
  const line = (r: readonly string[]) =>
    widths
      .map((w, c) => (r[c] ?? '').padEnd(w))
      .join(' │ ')
      .trimEnd();
  const [head, ...body] = rows;
  return [
    paint(io, 'bold', line(head ?? [])),
    paint(io, 'dim', widths.map((w) => '─'.repeat(w)).join('─┼─')),
    ...body.map(line),
  ];
}

function inline(io: Painter, node: Parents): string {
  return node.children.map((child) => phrasing(io, child)).join('');
}

function phrasing(io: Painter, node: Nodes): string {
  switch (node.type) {
    case 'text':
      return node.value;
    case 'strong':
      return paint(io, 'bold', inline(io, node));
    case 'emphasis':
      return paint(io, 'italic', inline(io, node));
    case 'delete':
      return paint(io, 'dim', `~${inline(io, node)}~`);
    case 'inlineCode':
      return paint(io, 'cyan', node.value);
    case 'break':
      return '\n';
    case 'link': {
      const text = inline(io, node);
      return plainText(node) === node.url
        ? paint(io, 'blue', node.url)
        : `${text} (${paint(io, 'blue', node.url)})`;
    }
    case 'image':
      return `[image: ${node.alt ?? ''}] (${node.url})`;
    case 'footnoteReference':
      return `[^${node.identifier}]`;
    case 'html':
      return COMMENT.test(node.value) ? '' : node.value;
    default:
      return 'children' in node ? inline(io, node as Parents) : 'value' in node ? String(node.value) : '';
  }
}

/** The text of a node without any styling (for widths and link comparisons). */
function plainText(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string') return node.type === 'html' ? '' : node.value;
  if ('children' in node) return (node.children as Nodes[]).map(plainText).join('');
  return '';
}
