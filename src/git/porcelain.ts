/**
 * Pure parsers for git's machine-readable output (`worktree list --porcelain -z`, `merge-tree`)
 * and for the `.worktreeinclude` file. No I/O here, so they are tested with plain strings.
 */
import { isAbsolute, normalize, sep } from 'node:path';

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** short branch name (`main`, `orch/x`), null when detached or bare */
  branch: string | null;
  detached: boolean;
  bare: boolean;
  locked: boolean;
  prunable: boolean;
}

/** Parses `git worktree list --porcelain -z`: NUL-terminated lines, records ended by an empty line. */
export function parseWorktreeList(out: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let cur: WorktreeEntry | null = null;
  for (const line of out.split('\0')) {
    if (line === '') {
      if (cur) entries.push(cur);
      cur = null;
      continue;
    }
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'worktree') {
      if (cur) entries.push(cur);
      cur = {
        path: value,
        head: null,
        branch: null,
        detached: false,
        bare: false,
        locked: false,
        prunable: false,
      };
      continue;
    }
    if (!cur) continue;
    if (key === 'HEAD') cur.head = value;
    else if (key === 'branch') cur.branch = value.replace(/^refs\/heads\//, '');
    else if (key === 'detached') cur.detached = true;
    else if (key === 'bare') cur.bare = true;
    else if (key === 'locked') cur.locked = true;
    else if (key === 'prunable') cur.prunable = true;
  }
  if (cur) entries.push(cur);
  return entries;
}

/**
 * Parses `git merge-tree --write-tree --name-only` output: the tree id, then (on conflict) one
 * conflicted path per line, then an empty line and git's informational messages (if asked for).
 */
export function parseMergeTree(out: string): { tree: string; files: string[]; messages: string } {
  const [head, ...rest] = out.split('\n\n');
  const lines = (head ?? '').split('\n').filter((l) => l !== '');
  const tree = lines[0] ?? '';
  const files = [...new Set(lines.slice(1).map(unquoteCPath))];
  return { tree, files, messages: rest.join('\n\n').trim() };
}

/** A full SHA-1 or SHA-256 object id. */
export function isObjectId(s: string): boolean {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(s);
}

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  '"': '"',
  '\\': '\\',
};

/** Undoes git's C-style quoting of unusual path names (`"a\tb"`, octal `\303\251` for UTF-8 bytes). */
export function unquoteCPath(s: string): string {
  if (!(s.length >= 2 && s.startsWith('"') && s.endsWith('"'))) return s;
  const body = s.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(ESCAPES[next] ?? next, 'utf8'));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export interface IncludeList {
  paths: string[];
  /** lines refused, with why (absolute, escaping the repository, inside .git or .ve, globs) */
  rejected: { line: string; reason: string }[];
}

/**
 * Parses `.worktreeinclude`: one repository-relative path per line, `#` comments, blank lines ignored.
 * Paths are taken literally (no globs) and must stay inside the repository, outside `.git` and `.ve`.
 */
export function parseWorktreeInclude(text: string): IncludeList {
  const paths: string[] = [];
  const rejected: { line: string; reason: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (isAbsolute(line)) {
      rejected.push({ line, reason: 'absolute path' });
      continue;
    }
    if (/[*?[]/.test(line)) {
      rejected.push({ line, reason: 'globs are not supported; list each path' });
      continue;
    }
    const rel = normalize(line).replace(/[/\\]+$/, '');
    if (rel === '.' || rel === '' || rel === '..' || rel.startsWith(`..${sep}`)) {
      rejected.push({ line, reason: 'escapes the repository' });
      continue;
    }
    const top = rel.split(sep)[0];
    if (top === '.git' || top === '.ve') {
      rejected.push({ line, reason: `${top} is never copied` });
      continue;
    }
    if (!paths.includes(rel)) paths.push(rel);
  }
  return { paths, rejected };
}

/**
 * The paths in `git status --porcelain -z` output. Each entry is `XY <path>`; a rename or copy (X or Y
 * is R or C) is followed by its source path as a separate NUL-terminated field, which is skipped.
 */
export function parsePorcelainPaths(out: string): string[] {
  const fields = out.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (f.length < 4) continue;
    paths.push(f.slice(3));
    if (/[RC]/.test(f.slice(0, 2))) i += 1;
  }
  return paths;
}
