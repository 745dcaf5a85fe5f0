/**
 * Enforces the layout and import rules of docs/architecture.md: which top-level folder may import
 * which, who owns which library, a pure domain, no import cycles and a file-size cap.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

const SERVICES = ['scheduler', 'runner', 'attention', 'units', 'oracle', 'train', 'fleet'];
const ADAPTERS = ['store', 'git', 'agents', 'chunks', 'infra', 'verify', 'process'];
const CORE = ['shared', 'domain', 'ports', 'config'];

/** folder → folders it may import with a value import ('*' = any). Type-only imports listed separately. */
const ALLOWED: Record<string, { value: string[] | '*'; type?: string[] }> = {
  shared: { value: ['shared'] },
  domain: { value: ['shared', 'domain'] },
  ports: { value: ['shared', 'domain', 'ports'], type: ['config'] },
  config: { value: ['shared', 'domain', 'config'] },
  ...Object.fromEntries(SERVICES.map((s) => [s, { value: [...CORE, s] }])),
  ...Object.fromEntries(ADAPTERS.map((a) => [a, { value: [...CORE, a] }])),
  api: { value: [...CORE, 'api'], type: SERVICES },
  // the hosts adapter moves git objects between the operator's repository and a host, with git's one wrapper
  hosts: { value: [...CORE, 'hosts', 'git'] },
  // the commands ve runs itself (setups, the verify command) share one contained process runner
  git: { value: [...CORE, 'git', 'process'] },
  verify: { value: [...CORE, 'verify', 'process'] },
  cli: { value: ['shared', 'domain', 'config', 'cli', 'chunks'], type: ['api'] },
  daemon: { value: '*' },
  demo: { value: '*' },
};

/** npm packages (and risky builtins) that only these folders may import */
const LIBRARY_OWNERS: Record<string, string[]> = {
  'better-sqlite3': ['store'],
  '@anthropic-ai/claude-agent-sdk': ['agents'],
  hono: ['api'],
  '@hono/node-server': ['api'],
  '@hono/node-ws': ['api'],
  commander: ['cli'],
  yaml: ['chunks'],
  'es-module-lexer': ['api'],
  'resolve.exports': ['api'],
  'mvdan-sh': ['agents'],
  'node:child_process': ['git', 'agents', 'hosts', 'cli', 'daemon', 'demo', 'infra', 'verify', 'process'],
};

const SIZE_CAP = 600;
const SIZE_EXCEPTIONS: Record<string, string> = {};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

function importsOf(text: string): Import[] {
  const out: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) out.push({ spec: m[3] as string, typeOnly: Boolean(m[2]) });
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g))
    out.push({ spec: m[1] as string, typeOnly: false });
  return out;
}

const files = walk(SRC).filter((f) => !f.endsWith('.test.ts'));
const folderOf = (file: string) => relative(SRC, file).split('/')[0] as string;

describe('architecture', () => {
  it('every src folder has import rules', () => {
    for (const f of files) assert.ok(ALLOWED[folderOf(f)], `no rules for folder of ${relative(ROOT, f)}`);
  });

  it('imports follow the dependency table and library ownership', () => {
    const problems: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      const rule = ALLOWED[from];
      if (!rule) continue;
      for (const imp of importsOf(readFileSync(file, 'utf8'))) {
        if (imp.spec.startsWith('.')) {
          const target = resolve(dirname(file), imp.spec);
          if (!target.startsWith(SRC)) {
            problems.push(`${relative(ROOT, file)} imports outside src: ${imp.spec}`);
            continue;
          }
          const to = folderOf(target);
          const ok =
            rule.value === '*' || rule.value.includes(to) || (imp.typeOnly && (rule.type ?? []).includes(to));
          if (!ok) problems.push(`${relative(ROOT, file)} (${from}) may not import ${to}: ${imp.spec}`);
        } else {
          const pkg = imp.spec.startsWith('@')
            ? imp.spec.split('/').slice(0, 2).join('/')
            : (imp.spec.split('/')[0] as string);
          const owners = LIBRARY_OWNERS[pkg];
          if (owners && !owners.includes(from) && !imp.typeOnly) {
            problems.push(
              `${relative(ROOT, file)} (${from}) may not import ${pkg} (owned by ${owners.join(', ')})`,
            );
          }
          if (from === 'domain' && !imp.typeOnly)
            problems.push(`${relative(ROOT, file)}: domain must not import ${imp.spec}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('domain is pure: no clock, no randomness, no process', () => {
    const problems: string[] = [];
    for (const file of files.filter((f) => folderOf(f) === 'domain')) {
      const text = readFileSync(file, 'utf8');
      for (const banned of ['Date.now(', 'Math.random(', 'process.', 'new Date()']) {
        if (text.includes(banned)) problems.push(`${relative(ROOT, file)} uses ${banned}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('has no import cycles', () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const deps = importsOf(readFileSync(file, 'utf8'))
        .filter((i) => i.spec.startsWith('.') && !i.typeOnly)
        .map((i) => resolve(dirname(file), i.spec).replace(/\.js$/, '.ts'));
      graph.set(file, deps);
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' -> '));
        return;
      }
      state.set(f, 'visiting');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    assert.deepEqual(cycles, []);
  });

  it('keeps files small enough to read in one sitting', () => {
    const all = [...walk(SRC), ...walk(join(ROOT, 'test'))];
    const big = all
      .map((f) => ({ f: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter(({ f, lines }) => lines > (f.endsWith('.test.ts') ? 800 : SIZE_CAP) && !SIZE_EXCEPTIONS[f]);
    assert.deepEqual(big, []);
  });
});
