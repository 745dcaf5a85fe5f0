/** The attention inbox: NEEDS_ATTENTION units ranked by how much work an answer unblocks. */
import { type BudgetHold, type BudgetLimits, budgetHold } from '../domain/budget.js';
import { goalSummary } from '../domain/chunk-doc.js';
import { ErrorCode, isOrchError } from '../domain/errors.js';
import { attentionOrder } from '../domain/ready-order.js';
import type { AttentionKind, PendingQuestion, Phase, WorkUnit } from '../domain/work-unit.js';
import type { ChunkRepo } from '../ports/chunks.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

export interface AttentionItem {
  chunk: string;
  kind: AttentionKind;
  phase: Phase;
  reason: string;
  question: PendingQuestion | null;
  blocks_count: number;
  depth: number;
  waiting_seconds: number;
  raised_at: string;
  goal_summary: string;
  blocked_by: string[];
  worktree: string | null;
  version: number;
  /** a BUDGET item's limit, which the operator raises to let it go on; null for other kinds */
  budget: BudgetHold | null;
}

export interface InboxDeps {
  chunks: Pick<ChunkRepo, 'read'>;
  clock: Clock;
  log: Logger;
  /** the spending limits in force */
  limits: BudgetLimits;
}

export async function listAttention(deps: InboxDeps, units: readonly WorkUnit[]): Promise<AttentionItem[]> {
  const now = deps.clock.now();
  const ranked = attentionOrder(units);
  return Promise.all(
    ranked.map(async ({ unit, blocks_count, depth }) => {
      const raised = unit.attention_at ?? unit.updated_at;
      return {
        chunk: unit.chunk,
        kind: unit.attention_kind ?? 'ERROR',
        phase: unit.phase,
        reason: unit.attention_reason ?? 'needs attention',
        question: unit.question,
        blocks_count,
        depth,
        waiting_seconds: Math.max(0, Math.round((now - Date.parse(raised)) / 1000)),
        raised_at: raised,
        goal_summary: await summaryOf(deps, unit.chunk),
        blocked_by: unit.blocked_by,
        worktree: unit.worktree,
        version: unit.version,
        budget: unit.attention_kind === 'BUDGET' ? budgetHold(unit, deps.limits) : null,
      };
    }),
  );
}

async function summaryOf(deps: InboxDeps, chunk: string): Promise<string> {
  try {
    return goalSummary((await deps.chunks.read(chunk)).goal);
  } catch (e) {
    // the inbox must render even when a chunk document is gone or broken (the unit's phases say so);
    // any other failure is logged, and the item still shows, without its summary
    if (!isOrchError(e, ErrorCode.not_found) && !isOrchError(e, ErrorCode.malformed_chunk))
      deps.log.warn('goal summary unreadable for the inbox', { chunk, error: e });
    return '';
  }
}
