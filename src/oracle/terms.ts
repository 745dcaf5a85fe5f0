/**
 * GOAL-stage content terms: the words and identifiers of a goal with frontmatter, template text,
 * HTML comments and stop-words removed. Identifiers weigh more than plain words. Pure.
 */
import { stripHtmlComments } from '../domain/chunk-doc.js';
import { FRONTMATTER_TEXT, STOP_WORDS, TEMPLATE_TEXT } from './boilerplate.js';

/** term → weight; identifiers (`snake_case`, `camelCase`, `a.b`) outweigh plain words */
export type TermBag = Map<string, number>;

export const TERM_WEIGHT = { word: 1, identifier: 3 } as const;

const TOKEN = /[A-Za-z_$][\w$]*(?:(?:::|\.)[A-Za-z_$][\w$]*)*/g;
const MIN_WORD = 4;

/** Folds common English plurals so `conflicts` meets `conflict`, `retries` meets `retry`. */
function stem(word: string): string {
  if (word.length <= MIN_WORD) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ss|sh|ch|x)es$/.test(word)) return word.slice(0, -2);
  return /[^siu]s$/.test(word) ? word.slice(0, -1) : word;
}

function isIdentifier(token: string): boolean {
  if (token.includes('_') || /[a-z0-9][A-Z]/.test(token)) return true;
  const parts = token.split(/::|\./);
  return parts.length > 1 && parts.every((p) => p.length >= 2);
}

/** Adds one token's terms: an identifier as a whole, anything else as plain words. */
function addToken(bag: TermBag, token: string, ignore: ReadonlySet<string>, code: boolean): void {
  if (isIdentifier(token)) {
    const key = token.toLowerCase();
    if (!ignore.has(key) && !STOP_WORDS.has(key)) bag.set(key, TERM_WEIGHT.identifier);
    return;
  }
  // `e.g.` or `Section.Next` in prose: the parts are words
  for (const part of token.split(/::|\./)) {
    const key = stem(part.toLowerCase().replace(/^[_$]+|[_$]+$/g, ''));
    if (key.length < MIN_WORD || /^\d/.test(key) || ignore.has(key) || STOP_WORDS.has(key)) continue;
    const weight = code ? TERM_WEIGHT.identifier : TERM_WEIGHT.word;
    bag.set(key, Math.max(bag.get(key) ?? 0, weight));
  }
}

/** Every term of `text`, with nothing ignored: builds the boilerplate vocabulary itself. */
function rawTerms(text: string): Set<string> {
  const bag: TermBag = new Map();
  for (const m of text.matchAll(TOKEN)) addToken(bag, m[0], new Set(), false);
  return new Set(bag.keys());
}

/** Words of the chunk templates and frontmatter: never evidence (reference §9.2 REF-BUG). */
export const BOILERPLATE: ReadonlySet<string> = new Set([
  ...rawTerms(TEMPLATE_TEXT),
  ...rawTerms(FRONTMATTER_TEXT),
]);

/** The boilerplate set plus the words of extra (project) templates. */
export function boilerplateWith(extraTexts: readonly string[]): ReadonlySet<string> {
  if (extraTexts.length === 0) return BOILERPLATE;
  return new Set([...BOILERPLATE, ...extraTexts.flatMap((t) => [...rawTerms(t)])]);
}

const YAML_KEY = /^[a-z_][a-z0-9_]*:(\s|$)/;
const YAML_ITEM = /^\s*-\s/;
const FENCE = /^\s*(```|~~~)/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;

/**
 * Content terms of a GOAL body. Drops a leading `---` block and lines that look like YAML keys (with
 * their list items), HTML comments, and headings made only of template words; code fences count,
 * their tokens as identifiers.
 */
export function contentTerms(goal: string, ignore: ReadonlySet<string> = BOILERPLATE): TermBag {
  const bag: TermBag = new Map();
  const body = stripHtmlComments(goal.replace(/^\s*---\r?\n[\s\S]*?\r?\n---[ \t]*(\r?\n|$)/, ''));
  let inFence = false;
  let inYamlList = false;
  for (const line of body.split('\n')) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (!inFence) {
      if (YAML_KEY.test(line)) {
        inYamlList = /:\s*$/.test(line);
        continue;
      }
      if (inYamlList && YAML_ITEM.test(line)) continue;
      inYamlList = false;
    }
    const heading = inFence ? null : HEADING.exec(line);
    const text = heading ? (heading[1] ?? '') : line;
    for (const m of text.matchAll(TOKEN)) addToken(bag, m[0], ignore, inFence);
  }
  return bag;
}

/** Weighted overlap coefficient: shared weight over the smaller bag's weight, 0..1. */
export function termOverlap(a: TermBag, b: TermBag): { shared: string[]; overlap: number } {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const shared: string[] = [];
  let sharedWeight = 0;
  for (const [term, w] of small) {
    const other = large.get(term);
    if (other === undefined) continue;
    shared.push(term);
    sharedWeight += Math.min(w, other);
  }
  const total = Math.min(sum(a), sum(b));
  shared.sort(
    (x, y) => (b.get(y) ?? 0) + (a.get(y) ?? 0) - (b.get(x) ?? 0) - (a.get(x) ?? 0) || (x < y ? -1 : 1),
  );
  return { shared, overlap: total === 0 ? 0 : sharedWeight / total };
}

function sum(bag: TermBag): number {
  let s = 0;
  for (const w of bag.values()) s += w;
  return s;
}
