/**
 * Reads the phase templates shipped with the package (`prompts/<phase>.md`, listed in package.json
 * `files`). The package root is found from this module's own location, so it works from dist/ and
 * from an installed package alike.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrchError } from '../domain/errors.js';
import type { Phase } from '../domain/work-unit.js';

let cachedDir: string | null = null;

/** `<package root>/prompts`: the nearest ancestor of this module holding package.json and prompts/. */
export function shippedPromptsDir(): string {
  if (cachedDir) return cachedDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'prompts'))) {
      cachedDir = join(dir, 'prompts');
      return cachedDir;
    }
    dir = dirname(dir);
  }
  throw new OrchError('internal', 'cannot find the prompts/ folder shipped with the package', {
    from: fileURLToPath(import.meta.url),
  });
}

/**
 * The project's convention files at the worktree root, as the prompt names them. Claude Code loads
 * CLAUDE.md (and .claude/CLAUDE.md) itself; AGENTS.md is what other agents read, so the agent is told.
 */
export const CONVENTION_FILES = ['CLAUDE.md', '.claude/CLAUDE.md', 'AGENTS.md'] as const;

export function conventionFiles(worktree: string): string[] {
  return CONVENTION_FILES.filter((f) => existsSync(join(worktree, f)));
}

/** The raw template of a phase; `dir` overrides the shipped folder (tests, custom prompt sets). */
export async function loadPhaseTemplate(phase: Phase, dir: string = shippedPromptsDir()): Promise<string> {
  const file = join(dir, `${phase.toLowerCase()}.md`);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new OrchError(
      'internal',
      `cannot read the ${phase} prompt template ${file}: ${err instanceof Error ? err.message : err}`,
      { file },
      { cause: err },
    );
  }
}
