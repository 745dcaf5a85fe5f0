/**
 * Scratch projects for daemon benches: a git repository with a committed identity, a little source,
 * and FUTURE chunk documents (empty plan, so each unit starts at PLAN) committed on `main`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATE_PLAN } from '../../test/support/chunk-docs.js';
import { benchGit } from '../git-floor.js';

export const chunkName = (prefix: string, i: number, width = 5) =>
  `${prefix}_${String(i).padStart(width, '0')}`;

export function goalDoc(chunk: string, dependsOn: string[] = [], status = 'FUTURE'): string {
  const deps = dependsOn.length === 0 ? ' []' : `\n${dependsOn.map((d) => `  - ${d}`).join('\n')}`;
  return `---
status: ${status}
ticket: null
depends_on:${deps}
code_paths:
  - src/${chunk}.txt
code_references: []
---

# Goal

## Minor Goal

Add \`src/${chunk}.txt\` so that the ${chunk.replaceAll('_', ' ')} value is recorded in the repository.

## Success Criteria

- \`src/${chunk}.txt\` exists on the base branch and names the chunk.

## Out of Scope

Everything else.
`;
}

/** Writes docs/chunks/<c>/GOAL.md (FUTURE, depends_on []) and the template PLAN.md for each name. */
export function writeChunkDocs(root: string, names: readonly string[], status = 'FUTURE'): void {
  for (const c of names) {
    const dir = join(root, 'docs', 'chunks', c);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'GOAL.md'), goalDoc(c, [], status));
    writeFileSync(join(dir, 'PLAN.md'), TEMPLATE_PLAN);
  }
}

/**
 * A new repository on `main` with identity in its config, a README and `names` chunk docs committed
 * (`status` FUTURE for ve; the floor runs use IMPLEMENTING, which ve sets before the first phase).
 */
export async function makeProject(names: readonly string[] = [], status = 'FUTURE'): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 've-bench-proj-'));
  await benchGit(['init', '--quiet', '-b', 'main'], root);
  for (const [k, v] of [
    ['user.name', 've-bench'],
    ['user.email', 'bench@localhost'],
    ['commit.gpgsign', 'false'],
  ] as const)
    await benchGit(['config', k, v], root);
  writeFileSync(join(root, 'README.md'), '# bench project\n\nA scratch repository for ve benchmarks.\n');
  writeFileSync(join(root, '.gitignore'), '.ve/\n');
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src', 'index.ts'), 'export const bench = true;\n');
  writeChunkDocs(root, names, status);
  await benchGit(['add', '-A'], root);
  await benchGit(['commit', '--quiet', '-m', 'bench project'], root);
  return root;
}

/** Adds and commits more chunk docs on the current branch (so new worktrees see them). */
export async function addChunks(root: string, names: readonly string[]): Promise<void> {
  writeChunkDocs(root, names);
  await benchGit(['add', '-A'], root);
  await benchGit(['commit', '--quiet', '-m', `chunks ${names[0]}…`], root);
}
