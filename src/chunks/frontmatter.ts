/**
 * YAML frontmatter of chunk documents. Parsing tolerates unknown keys; rewriting a key keeps every
 * other key, comment and the whole body byte-for-byte.
 */
import { Document, isMap, parseDocument, type YAMLError } from 'yaml';
import { ErrorCode, OrchError } from '../domain/errors.js';

export interface SplitDoc {
  /** the YAML text between the `---` fences, or null when the file has no frontmatter */
  yaml: string | null;
  body: string;
  /** text from the start of the file through the closing fence's newline */
  head: string;
}

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n?---[ \t]*(?:\r?\n|$)/;

export function splitFrontmatter(text: string): SplitDoc {
  const m = FENCE.exec(text);
  if (!m) return { yaml: null, body: text, head: '' };
  return { yaml: m[1] ?? '', body: text.slice(m[0].length), head: m[0] };
}

/** Parses the frontmatter into a plain object; malformed YAML or a non-mapping is a malformed_chunk error. */
export function parseFrontmatter(
  text: string,
  where: string,
): { data: Record<string, unknown>; body: string } {
  const split = splitFrontmatter(text);
  if (split.yaml === null) {
    throw new OrchError(
      ErrorCode.malformed_chunk,
      `${where}: no YAML frontmatter (expected a leading '---' block)`,
    );
  }
  const doc = parseDocument(split.yaml, { uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    throw new OrchError(
      ErrorCode.malformed_chunk,
      `${where}: could not parse frontmatter: ${describeYamlError(error, split.yaml)}`,
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return { data: {}, body: split.body };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new OrchError(
      ErrorCode.malformed_chunk,
      `${where}: frontmatter must be a mapping of keys to values`,
    );
  }
  return { data: data as Record<string, unknown>, body: split.body };
}

/**
 * The YAML error with its line counted in the file (the opening `---` is line 1; the parser counts
 * from the line after it) and the offending line quoted, so whoever fixes it looks at the right line.
 */
function describeYamlError(error: YAMLError, yaml: string): string {
  const what = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
  const at = error.linePos?.[0];
  if (!at) return what;
  const line = yaml.split('\n')[at.line - 1]?.trim();
  return `${what} at line ${at.line + 1}, column ${at.col}${line ? `: \`${line}\`` : ''}`;
}

/** Sets one top-level key, preserving the rest of the frontmatter and the body exactly. */
export function setFrontmatterKey(text: string, key: string, value: unknown, where: string): string {
  const split = splitFrontmatter(text);
  if (split.yaml === null) {
    throw new OrchError(ErrorCode.malformed_chunk, `${where}: no YAML frontmatter to update`);
  }
  const doc = parseDocument(split.yaml);
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents))) {
    throw new OrchError(ErrorCode.malformed_chunk, `${where}: could not parse frontmatter`);
  }
  doc.set(key, value);
  const yaml = doc.toString({ lineWidth: 0 }).replace(/\n$/, '');
  return `---\n${yaml}\n---\n${split.body}`;
}

/** Renders a new document from frontmatter data and a body. */
export function renderDocument(data: Record<string, unknown>, body: string): string {
  // block style: parseDocument('{}') would keep the flow map and render `{ status: FUTURE, ticket, … }`
  const doc = new Document(data);
  return `---\n${doc.toString({ lineWidth: 0 }).replace(/\n$/, '')}\n---\n${body}`;
}
