/** ChunkRepo on the file system: `docs/chunks/<name>/` under the host repo or a unit's worktree. */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChunkStatus, isChunkStatus } from '../domain/chunk-doc.js';
import { toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, isOrchError, NotFoundError, OrchError } from '../domain/errors.js';
import type { ChunkDoc, ChunkRepo, GoalCheck } from '../ports/chunks.js';
import { isMissing } from '../shared/fs-errors.js';
import { parseFrontmatter, setFrontmatterKey } from './frontmatter.js';

/** Chunk files larger than this are refused rather than read into memory. */
const MAX_DOC_BYTES = 1024 * 1024;

export class FsChunkRepo implements ChunkRepo {
  constructor(private readonly root: string) {}

  private dir(name: string, root?: string): string {
    return join(root ?? this.root, 'docs', 'chunks', toChunkName(name));
  }

  /** true when GOAL.md is a file, false when it is missing; any other failure (ELOOP, EIO) throws */
  async exists(name: string, root?: string): Promise<boolean> {
    try {
      return (await stat(join(this.dir(name, root), 'GOAL.md'))).isFile();
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async list(root?: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(join(root ?? this.root, 'docs', 'chunks'));
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
    const names: string[] = [];
    for (const e of entries.sort()) {
      if (/^[a-z][a-z0-9_-]{0,30}$/.test(e) && (await this.listed(e, root))) names.push(e);
    }
    return names;
  }

  async inspectGoal(name: string, root?: string): Promise<GoalCheck | null> {
    const goalText = await readSmall(join(this.dir(name, root), 'GOAL.md'));
    if (goalText === null) return null;
    try {
      const { data } = parseFrontmatter(goalText, `docs/chunks/${name}/GOAL.md`);
      const status = data.status;
      return {
        status: typeof status === 'string' ? status : status == null ? null : String(status),
        error: null,
      };
    } catch (e) {
      if (isOrchError(e, 'malformed_chunk')) return { status: null, error: e.message };
      throw e;
    }
  }

  /** A GOAL.md that is there but cannot be read is listed: `read` then says why, beside the others. */
  private async listed(name: string, root?: string): Promise<boolean> {
    // exists() answers false for a missing file and throws only for one that is there but unreadable
    return this.exists(name, root).catch(() => true);
  }

  async read(name: string, root?: string): Promise<ChunkDoc> {
    const dir = this.dir(name, root);
    const goalText = await readSmall(join(dir, 'GOAL.md'));
    if (goalText === null) throw new NotFoundError('chunk', name);
    const where = `docs/chunks/${name}/GOAL.md`;
    const { data, body } = parseFrontmatter(goalText, where);
    const planText = await readSmall(join(dir, 'PLAN.md'));
    const plan = planText === null ? null : stripOptionalFrontmatter(planText);
    const status = data.status ?? 'FUTURE';
    if (!isChunkStatus(status)) {
      throw new OrchError(ErrorCode.malformed_chunk, `${where}: unknown status ${JSON.stringify(status)}`);
    }
    return {
      name,
      dir,
      status,
      depends_on: stringList(data.depends_on, 'depends_on', where, true),
      code_paths: stringList(data.code_paths, 'code_paths', where, false) ?? [],
      code_references: referenceList(data.code_references, where),
      goal: body,
      plan,
      frontmatter: data,
    };
  }

  async readArtifact(name: string, file: string, root?: string): Promise<string | null> {
    return readSmall(join(this.dir(name, root), artifactName(file)));
  }

  async writeArtifact(name: string, file: string, content: string | null, root?: string): Promise<void> {
    const path = join(this.dir(name, root), artifactName(file));
    if (content === null) await rm(path, { force: true });
    else await writeFile(path, content);
  }

  async setStatus(name: string, status: ChunkStatus, root?: string): Promise<void> {
    const path = join(this.dir(name, root), 'GOAL.md');
    const text = await readSmall(path);
    if (text === null) throw new NotFoundError('chunk', name);
    await writeFile(path, setFrontmatterKey(text, 'status', status, `docs/chunks/${name}/GOAL.md`));
  }
}

function artifactName(file: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/.test(file)) {
    throw new OrchError(ErrorCode.invalid_input, `invalid chunk artifact name ${JSON.stringify(file)}`);
  }
  return file;
}

async function readSmall(path: string): Promise<string | null> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return null;
    if (s.size > MAX_DOC_BYTES)
      throw new OrchError(ErrorCode.malformed_chunk, `${path} is larger than ${MAX_DOC_BYTES} bytes`);
    return await readFile(path, 'utf8');
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

function stripOptionalFrontmatter(text: string): string {
  try {
    return parseFrontmatter(text, 'PLAN.md').body;
  } catch (e) {
    // PLAN.md frontmatter is optional; without it (or with one that is not YAML) the whole file is the plan
    if (isOrchError(e, ErrorCode.malformed_chunk)) return text;
    throw e;
  }
}

function stringList(value: unknown, key: string, where: string, nullable: true): string[] | null;
function stringList(value: unknown, key: string, where: string, nullable: false): string[] | null;
function stringList(value: unknown, key: string, where: string, nullable: boolean): string[] | null {
  if (value === undefined || value === null) return nullable ? null : [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new OrchError(ErrorCode.malformed_chunk, `${where}: '${key}' must be a list of strings`);
  }
  return value as string[];
}

function referenceList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new OrchError(ErrorCode.malformed_chunk, `${where}: 'code_references' must be a list`);
  return value
    .map((v) =>
      typeof v === 'string'
        ? v
        : typeof v === 'object' && v !== null
          ? (v as { ref?: unknown }).ref
          : undefined,
    )
    .filter((v): v is string => typeof v === 'string');
}
