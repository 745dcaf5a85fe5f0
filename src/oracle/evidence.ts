/**
 * Evidence one chunk offers the oracle: declared code_paths, locations named in GOAL.md and PLAN.md,
 * code_references, content terms, and the best stage they support. Pure: works on a read ChunkDoc.
 */
import type { AnalysisStage } from '../domain/conflict.js';
import type { ChunkDoc } from '../ports/chunks.js';
import { documentLocations, type Location, listLocations } from './locations.js';
import { BOILERPLATE, contentTerms, type TermBag } from './terms.js';

/** Stages a chunk's documents can support on their own (LIVE needs two branches). */
export type DocStage = Exclude<AnalysisStage, 'LIVE'>;

/** least to most informed */
export const DOC_STAGE_RANK: Record<DocStage, number> = { PROPOSED: 0, GOAL: 1, PLAN: 2, COMPLETED: 3 };

export interface ChunkEvidence {
  chunk: string;
  /** the best stage this chunk supports alone */
  stage: DocStage;
  /** GOAL.md frontmatter `code_paths` (directories overlap the files beneath them) */
  codePaths: Location[];
  /** paths named in the GOAL body */
  goalLocations: Location[];
  /** files and `path#Symbol` named in PLAN.md (`Location:` lines, backticks, prose; renames count twice) */
  planLocations: Location[];
  /** frontmatter `code_references` (`path#Symbol::sub`) */
  references: Location[];
  terms: TermBag;
}

export function extractEvidence(
  doc: Pick<ChunkDoc, 'name' | 'goal' | 'plan' | 'code_paths' | 'code_references'>,
  boilerplate: ReadonlySet<string> = BOILERPLATE,
): ChunkEvidence {
  const codePaths = listLocations(doc.code_paths);
  const goalLocations = documentLocations(doc.goal);
  const planLocations = doc.plan === null ? [] : documentLocations(doc.plan);
  const references = listLocations(doc.code_references);
  const terms = contentTerms(doc.goal, boilerplate);
  const stage: DocStage =
    references.length > 0
      ? 'COMPLETED'
      : planLocations.length > 0
        ? 'PLAN'
        : codePaths.length > 0 || goalLocations.length > 0 || terms.size > 0
          ? 'GOAL'
          : 'PROPOSED';
  return { chunk: doc.name, stage, codePaths, goalLocations, planLocations, references, terms };
}

/** The pair is judged at the less informed side's stage (reference §9.1). */
export function pairStage(a: ChunkEvidence, b: ChunkEvidence): DocStage {
  return DOC_STAGE_RANK[a.stage] <= DOC_STAGE_RANK[b.stage] ? a.stage : b.stage;
}

/**
 * Locations a side contributes at `stage`: everything it has at that stage or better, so a COMPLETED
 * chunk compared at PLAN still offers its exact references.
 */
export function locationsAt(e: ChunkEvidence, stage: DocStage): Location[] {
  switch (stage) {
    case 'COMPLETED':
      return e.references;
    case 'PLAN':
      return [...e.planLocations, ...e.references];
    case 'GOAL':
    case 'PROPOSED':
      return [...e.codePaths, ...e.goalLocations, ...e.planLocations, ...e.references];
  }
}
