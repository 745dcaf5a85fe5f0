/** `ve chunk create|list|show`: chunk documents in docs/chunks/, read and written locally (no daemon). */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CHUNK_STATUSES, goalSummary } from '../../domain/chunk-doc.js';
import { isChunkName } from '../../domain/chunk-name.js';
import { ErrorCode, isOrchError, OrchError } from '../../domain/errors.js';
import { choiceArg, chunkArg, chunkArgs, chunkList } from '../args.js';
import { type CommonOptions, commandContext, groupCommand, leafCommand } from '../command-kit.js';
import { type CliIo, renderTable } from '../output.js';

// chunks/ pulls in the YAML parser: loaded when a command needs it, so other commands start faster
const loadRepo = async () => (await import('../../chunks/fs-chunk-repo.js')).FsChunkRepo;
const loadTemplates = () => import('../../chunks/templates.js');

export interface ChunkListEntry {
  name: string;
  status: string | null;
  depends_on: string[] | null;
  summary: string;
  error: string | null;
}

export function registerChunk(program: Command, io: CliIo): void {
  const chunk = groupCommand(program, 'chunk', 'create and inspect chunk documents (docs/chunks/<name>/)', [
    've chunk create auth_login auth_logout --future',
    've chunk list --status FUTURE',
  ]);

  leafCommand(chunk, 'create <name...>', 'create GOAL.md and PLAN.md templates for new chunks', [
    've chunk create auth_login',
    've chunk create auth_login auth_logout --future --depends-on db_schema',
  ])
    .option('--future', 'mark the chunks FUTURE (not yet being implemented)')
    .option('--depends-on <chunks>', 'comma-separated chunks these depend on (written to depends_on)')
    .action(async (names: string[], opts: CommonOptions & { future?: boolean; dependsOn?: string }) => {
      const valid = chunkArgs(names);
      const dependsOn = opts.dependsOn === undefined ? null : chunkList(opts.dependsOn);
      for (const d of dependsOn ?? []) {
        if (valid.includes(d))
          throw new OrchError(ErrorCode.invalid_input, `chunk '${d}' cannot depend on itself`);
      }
      const ctx = commandContext(io, opts);
      const repo = new (await loadRepo())(ctx.root);
      const { createChunk } = await loadTemplates();
      // all-or-nothing: refuse before writing anything if one of the names is taken
      for (const n of valid) {
        if (await repo.exists(n)) {
          throw new OrchError(ErrorCode.already_exists, `chunk '${n}' already exists at docs/chunks/${n}`);
        }
      }
      const created: { name: string; dir: string }[] = [];
      for (const n of valid) {
        created.push({
          name: n,
          dir: await createChunk(ctx.root, n, { future: opts.future === true, dependsOn }),
        });
      }
      ctx.emit({ created }, () => created.map((c) => `Created docs/chunks/${c.name}/ (GOAL.md, PLAN.md)`));
    });

  leafCommand(chunk, 'list', 'list chunk documents with their status, dependencies and goal summary', [
    've chunk list',
    've chunk list --status IMPLEMENTING --json',
  ])
    .option('--status <status>', `only chunks with this status (${CHUNK_STATUSES.join(', ')})`)
    .action(async (opts: CommonOptions & { status?: string }) => {
      const status =
        opts.status === undefined ? undefined : choiceArg(opts.status, CHUNK_STATUSES, 'chunk status');
      const ctx = commandContext(io, opts);
      const all = await listChunks(ctx.root);
      const chunks = status === undefined ? all : all.filter((c) => c.status === status);
      ctx.emit({ chunks, count: chunks.length }, () => renderChunkList(io, chunks));
    });

  leafCommand(chunk, 'show <name>', "print a chunk's frontmatter, goal and plan", [
    've chunk show auth_login',
    've chunk show docs/chunks/auth_login --json',
  ]).action(async (name: string, opts: CommonOptions) => {
    const valid = chunkArg(name);
    const ctx = commandContext(io, opts);
    const doc = await new (await loadRepo())(ctx.root).read(valid);
    const { dir: _dir, ...shown } = doc;
    ctx.emit(shown, () => [
      `Chunk:      ${doc.name}`,
      `Status:     ${doc.status}`,
      `Depends on: ${doc.depends_on === null ? 'unknown (the conflict oracle decides)' : doc.depends_on.join(', ') || 'none'}`,
      `Code paths: ${doc.code_paths.join(', ') || '-'}`,
      `Summary:    ${goalSummary(doc.goal) || '-'}`,
      '',
      '--- GOAL.md ---',
      doc.goal.trim(),
      '',
      '--- PLAN.md ---',
      doc.plan === null ? '(missing)' : doc.plan.trim(),
    ]);
  });
}

/**
 * Every directory under docs/chunks/, sorted; a directory with an invalid name or a document that
 * does not parse is listed with its error instead of failing the whole listing.
 */
export async function listChunks(root: string): Promise<ChunkListEntry[]> {
  const dir = join(root, 'docs', 'chunks');
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const repo = new (await loadRepo())(root);
  const out: ChunkListEntry[] = [];
  for (const name of entries) {
    const broken = (error: string) => ({ name, status: null, depends_on: null, summary: '', error });
    if (!isChunkName(name)) {
      out.push(broken('invalid chunk name: use lower-case letters, digits, _ or -, starting with a letter'));
      continue;
    }
    try {
      const doc = await repo.read(name);
      out.push({
        name,
        status: doc.status,
        depends_on: doc.depends_on,
        summary: goalSummary(doc.goal),
        error: null,
      });
    } catch (e) {
      // one broken document must not hide the others: it is listed with its error
      if (isOrchError(e, ErrorCode.not_found)) out.push(broken('GOAL.md is missing'));
      else out.push(broken(e instanceof Error ? e.message : String(e)));
    }
  }
  return out;
}

export function renderChunkList(io: CliIo, chunks: readonly ChunkListEntry[]): string[] {
  if (chunks.length === 0) return ['No chunks (create one with: ve chunk create <name>)'];
  return renderTable(
    io,
    [
      { header: 'NAME', value: (c: ChunkListEntry) => c.name },
      { header: 'STATUS', value: (c) => c.status ?? 'ERROR', colour: (c) => (c.error ? 'red' : null) },
      {
        header: 'DEPENDS-ON',
        value: (c) => (c.depends_on === null ? (c.error ? '-' : '?') : c.depends_on.join(', ') || '-'),
        max: 40,
      },
      { header: 'SUMMARY', value: (c) => (c.error ? `error: ${c.error}` : c.summary || '-'), max: 80 },
    ],
    chunks,
  );
}
