/** Pure rules about chunk documents (GOAL.md / PLAN.md): statuses, plan content, summaries, start phase. */
import { stringEnum } from './string-enum.js';
import type { Phase } from './work-unit.js';

/** Document lifecycle status in GOAL.md frontmatter (distinct from work-unit status). */
export const CHUNK_STATUSES = [
  'FUTURE',
  'IMPLEMENTING',
  'ACTIVE',
  'COMPOSITE',
  'SUPERSEDED',
  'HISTORICAL',
] as const;
export const ChunkStatus = stringEnum(CHUNK_STATUSES);
export type ChunkStatus = (typeof CHUNK_STATUSES)[number];

/** Statuses that mean "COMPLETE succeeded": anything reachable after IMPLEMENTING. */
export const POST_IMPLEMENTING: readonly ChunkStatus[] = ['ACTIVE', 'COMPOSITE', 'SUPERSEDED', 'HISTORICAL'];

export function isChunkStatus(v: unknown): v is ChunkStatus {
  return typeof v === 'string' && (CHUNK_STATUSES as readonly string[]).includes(v);
}

export function stripHtmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '');
}

/** Body of a `## Heading` section up to the next `## ` heading, or null. */
export function sectionBody(markdown: string, heading: string): string | null {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim().toLowerCase() === `## ${heading}`.toLowerCase());
  if (start < 0) return null;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('## '));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n');
}

/** PLAN.md counts as written when its `## Approach` section has text outside HTML comments. */
export function planHasContent(planBody: string | null): boolean {
  if (planBody === null) return false;
  const approach = sectionBody(planBody, 'Approach');
  return approach !== null && stripHtmlComments(approach).trim().length > 0;
}

/** One-line summary of the goal for listings: the `## Minor Goal` (or first) section, max 200 chars. */
export function goalSummary(goalBody: string): string {
  const section = sectionBody(goalBody, 'Minor Goal') ?? sectionBody(goalBody, 'Goal') ?? goalBody;
  const text = stripHtmlComments(section)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .join(' ');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

export type Injectability = { ok: true; phase: Phase; warnings: string[] } | { ok: false; reason: string };

/** Decides whether a chunk may become a work unit and at which phase it starts. */
export function decideInjectability(
  doc: { status: ChunkStatus; planWritten: boolean },
  requested?: Phase,
): Injectability {
  const { status, planWritten } = doc;
  if (status !== 'FUTURE' && status !== 'IMPLEMENTING' && status !== 'ACTIVE') {
    return {
      ok: false,
      reason: `chunk has terminal status '${status}' and cannot be injected; only FUTURE, IMPLEMENTING or ACTIVE chunks can`,
    };
  }
  const warnings: string[] = [];
  if (requested) return { ok: true, phase: requested, warnings };
  if (!planWritten) {
    warnings.push(`Chunk has status '${status}' with an empty plan. It will start with the PLAN phase.`);
    return { ok: true, phase: 'PLAN', warnings };
  }
  return { ok: true, phase: 'IMPLEMENT', warnings };
}
