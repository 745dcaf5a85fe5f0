/**
 * What the process-level fault and kill tests share on top of a pipeline project: projects cleaned up
 * after the test file, planned chunks, waiting for an attention item or for every unit to be DONE, and
 * the end-of-run invariants.
 */
import { after } from 'node:test';
import type { AttentionItemDto, AttentionListDto, UnitListDto } from '../../src/api/dto.js';
import { assertInvariants, collectEvidence } from './invariants.js';
import { type ChunkPlan, makePipelineProject, type PipelineProject } from './pipeline-project.js';

/** Call at a test file's top level: `project(chunks, env?)` makes projects removed after the file. */
export function pipelineProjects(
  prefix: string,
): (chunks: ChunkPlan[], env?: NodeJS.ProcessEnv) => PipelineProject {
  const made: PipelineProject[] = [];
  after(async () => {
    for (const p of made.reverse()) await p.cleanup();
  });
  return (chunks, env) => {
    const p = makePipelineProject({ chunks, env, prefix });
    made.push(p);
    return p;
  };
}

/** Chunks with a written plan and no dependencies: they start at IMPLEMENT. */
export const planned = (...names: string[]): ChunkPlan[] =>
  names.map((name) => ({ name, depends_on: [], planned: true }));

export async function attentionFor(p: PipelineProject, chunk: string): Promise<AttentionItemDto> {
  const list = await p.api.waitFor<AttentionListDto>(
    '/api/attention',
    (a) => a.items.some((i) => i.chunk === chunk),
    120_000,
  );
  return list.items.find((i) => i.chunk === chunk) as AttentionItemDto;
}

export async function allDone(p: PipelineProject, n: number): Promise<void> {
  await p.api.waitFor<UnitListDto>(
    '/api/work-units',
    (u) => u.count === n && u.work_units.every((w) => w.status === 'DONE'),
    180_000,
  );
}

/** Every chunk DONE, then every invariant of test/support/invariants.ts. */
export async function checkEnd(p: PipelineProject, chunks: string[]): Promise<void> {
  await allDone(p, chunks.length);
  assertInvariants(await collectEvidence({ root: p.root, base: 'main', chunks, api: p.api }));
}
