/** GOAL.md and PLAN.md templates for `ve chunk create`, and `ve init`'s project scaffolding. */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toChunkName } from '../domain/chunk-name.js';
import { GOAL_TEMPLATE_BODY, PLAN_TEMPLATE_BODY } from '../domain/chunk-templates.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { ifPresentAsync, isMissing } from '../shared/fs-errors.js';
import { renderDocument } from './frontmatter.js';

export interface CreateChunkOptions {
  future: boolean;
  dependsOn: string[] | null;
}

/** Creates docs/chunks/<name>/{GOAL,PLAN}.md; refuses to overwrite an existing chunk. */
export async function createChunk(root: string, rawName: string, opts: CreateChunkOptions): Promise<string> {
  const name = toChunkName(rawName);
  const dir = join(root, 'docs', 'chunks', name);
  if (await exists(join(dir, 'GOAL.md'))) {
    throw new OrchError(ErrorCode.already_exists, `chunk '${name}' already exists at docs/chunks/${name}`);
  }
  for (const dep of opts.dependsOn ?? []) toChunkName(dep);
  await mkdir(dir, { recursive: true });
  const goal = renderDocument(
    {
      status: opts.future ? 'FUTURE' : 'IMPLEMENTING',
      ticket: null,
      depends_on: opts.dependsOn,
      code_paths: [],
      code_references: [],
    },
    GOAL_TEMPLATE_BODY,
  );
  await writeFile(join(dir, 'GOAL.md'), goal);
  await writeFile(join(dir, 'PLAN.md'), PLAN_TEMPLATE_BODY.trimStart());
  return dir;
}

/** `ve init`: docs/chunks/ exists and `.ve/` is git-ignored. Idempotent. */
export async function initProject(
  root: string,
): Promise<{ createdChunksDir: boolean; addedIgnore: boolean }> {
  const chunksDir = join(root, 'docs', 'chunks');
  const createdChunksDir = !(await exists(chunksDir));
  await mkdir(chunksDir, { recursive: true });
  if (createdChunksDir) await writeFile(join(chunksDir, '.gitkeep'), '');
  const ignorePath = join(root, '.gitignore');
  let ignore = '';
  try {
    ignore = await readFile(ignorePath, 'utf8');
  } catch (e) {
    // no .gitignore yet: it is created below. One that cannot be read is never overwritten.
    if (!isMissing(e)) throw e;
  }
  const hasEntry = ignore.split('\n').some((l) => ['.ve', '.ve/', '/.ve', '/.ve/'].includes(l.trim()));
  if (!hasEntry) {
    const sep = ignore.length > 0 && !ignore.endsWith('\n') ? '\n' : '';
    await writeFile(ignorePath, `${ignore}${sep}.ve/\n`);
  }
  return { createdChunksDir, addedIgnore: !hasEntry };
}

function exists(path: string): Promise<boolean> {
  return ifPresentAsync(async () => Boolean(await stat(path)), false);
}
