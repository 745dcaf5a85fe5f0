/**
 * Code locations named in chunk documents (`path`, `path#Symbol`, `path#Class::method`): parsing,
 * normalization and the overlap rules. Pure.
 */
import { stripHtmlComments } from '../domain/chunk-doc.js';

export interface Location {
  /** repo-relative path: no `./`, no leading or trailing slash */
  path: string;
  /** `Symbol`, `Class::method` or `Class.method`; null = the whole file or directory */
  symbol: string | null;
  /** names a directory (written with a trailing slash, a glob, or no extension) */
  dir: boolean;
}

/** Extensions that make a bare word like `package.json` a file name rather than prose. */
const FILE_EXT =
  /\.(?:[cm]?[jt]sx?|json5?|md|mdx|py|pyi|go|rs|java|kts?|rb|php|cs|c|h|cc|cpp|hpp|swift|scala|sql|ya?ml|toml|ini|cfg|conf|sh|bash|zsh|css|scss|less|html?|vue|svelte|txt|lock|xml|proto|graphql|gql|env|tf|lua|ex|exs|erl|hs|ml|dart|r|pl|gradle|mk|dockerfile)$/i;
const SYMBOL = /^[A-Za-z_$][\w$]*(?:(?:::|\.)[A-Za-z_$][\w$]*)*/;
const GLOB = /[*?[{]/;
const RENAME_ARROW = /\s*(?:->|→|=>)\s*/g;

/** Normalizes a written path; null when it is not a repo path (URL, `..`, empty, whitespace). */
export function normalizePath(raw: string): { path: string; dir: boolean } | null {
  let p = raw.trim().replace(/\\/g, '/');
  if (p.length === 0 || /\s/.test(p) || p.includes('://')) return null;
  let dir = p.endsWith('/');
  const glob = GLOB.exec(p);
  if (glob) {
    // `src/api/**/*.ts` names the directory before the first wildcard
    p = p.slice(0, glob.index).replace(/[^/]*$/, '');
    dir = true;
  }
  const segments = p.split('/').filter((s) => s.length > 0 && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return null;
  const last = segments[segments.length - 1] as string;
  return { path: segments.join('/'), dir: dir || !last.includes('.') };
}

/** Parses `path`, `path#Symbol` or `project::path#Symbol` (code_references may be qualified). */
export function parseLocation(raw: string): Location | null {
  const hash = raw.indexOf('#');
  let pathPart = hash < 0 ? raw : raw.slice(0, hash);
  const qualifier = pathPart.lastIndexOf('::');
  if (qualifier >= 0) pathPart = pathPart.slice(qualifier + 2);
  const norm = normalizePath(pathPart);
  if (!norm) return null;
  const symbol = hash < 0 ? null : (SYMBOL.exec(raw.slice(hash + 1))?.[0] ?? null);
  return { path: norm.path, symbol, dir: norm.dir && symbol === null };
}

export function locationKey(l: Location): string {
  return l.symbol ? `${l.path}#${l.symbol}` : l.path;
}

/** The same path, or one of them is a directory holding the other. */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}/`) || a.startsWith(`${b}/`);
}

/** The same symbol, or one contains the other (`Class` ⊃ `Class::method` ⊃ `Class::method.inner`). */
export function symbolsRelated(a: string, b: string): boolean {
  const sa = a.split(/::|\./);
  const sb = b.split(/::|\./);
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) if (sa[i] !== sb[i]) return false;
  return true;
}

/** Trims markdown and sentence punctuation around a candidate token (not `_`: `__init__.py`). */
function trimToken(t: string): string {
  return t
    .replace(/^[`'"([{<*]+/, '')
    .replace(/[`'")\]}>*,;:!?]+$/, '')
    .replace(/\.+$/, '');
}

/**
 * A token counts as a location when it is clearly a path. Where the author marked it (Location lines,
 * backticks, links) a slash or a file extension is enough, so `src/oracle/` names a directory; in
 * prose it needs a slash plus an extension, or a `#Symbol`, so `and/or` and `Node.js` stay words.
 */
function asLocation(token: string, marked: boolean): Location | null {
  const t = trimToken(token);
  if (t.length < 2 || t.length > 300) return null;
  const hash = t.indexOf('#');
  const pathPart = hash < 0 ? t : t.slice(0, hash);
  const hasSlash = pathPart.includes('/');
  const hasExt = FILE_EXT.test(pathPart);
  const ok = marked ? hasSlash || hasExt : (hasSlash && hasExt) || (hash > 0 && (hasSlash || hasExt));
  return ok ? parseLocation(t) : null;
}

/** Splits text into tokens, treating rename arrows (`old -> new`) as separators so both sides count. */
function tokens(text: string): string[] {
  return text
    .replace(RENAME_ARROW, ' ')
    .split(/[\s,]+/)
    .filter((t) => t.length > 0);
}

/**
 * Every location a markdown document names: `Location:` lines, backticked paths, link targets and
 * `path#Symbol` or `dir/file.ext` tokens in prose. HTML comments (template hints) and fenced code
 * (snippets whose relative imports would read as paths) are ignored.
 */
export function documentLocations(markdown: string): Location[] {
  const found = new Map<string, Location>();
  const add = (l: Location | null) => {
    if (l && !found.has(locationKey(l))) found.set(locationKey(l), l);
  };
  let inFence = false;
  for (const line of stripHtmlComments(markdown).split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const loc = /^\s*(?:[-*+]\s+|\d+[.)]\s+)?\**location\**\s*:\**\s*(.*)$/i.exec(line);
    if (loc) {
      for (const t of tokens(loc[1] ?? '')) add(asLocation(t, true));
      continue;
    }
    let prose = line;
    for (const m of line.matchAll(/`([^`\n]+)`/g)) {
      for (const t of tokens(m[1] ?? '')) add(asLocation(t, true));
      prose = prose.replace(m[0], ' ');
    }
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      add(asLocation(m[1] ?? '', true));
      prose = prose.replace(m[0], ' ');
    }
    for (const t of tokens(prose)) add(asLocation(t, false));
  }
  return [...found.values()];
}

/** Locations from frontmatter lists (`code_paths`, `code_references`): any well-formed path counts. */
export function listLocations(entries: readonly string[]): Location[] {
  const found = new Map<string, Location>();
  for (const e of entries) {
    const l = parseLocation(trimToken(e));
    if (l && !found.has(locationKey(l))) found.set(locationKey(l), l);
  }
  return [...found.values()];
}
